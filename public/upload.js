/*
 * CSV upload for the import page, without multipart: the chosen file's bytes
 * are posted as `text/csv` (an Excel Shift_JIS file stays intact; the server
 * decodes it), with the page's CSRF token in the `x-csrf-token` header. The
 * server answers `{ next }`, the result page to open. Without JavaScript this
 * section stays hidden and the paste form below does the same job.
 */
(function () {
  'use strict';
  var section = document.getElementById('file-upload');
  var form = document.getElementById('upload-form');
  if (!section || !form || !window.fetch || !window.FileReader) return;
  section.hidden = false;

  var input = document.getElementById('csv-file');
  var status = document.getElementById('upload-status');
  var error = document.getElementById('csv-file-error');
  var button = form.querySelector('button[type="submit"]');
  var token = form.querySelector('input[name="_csrf"]').value;

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
    status.textContent = '';
    input.setAttribute('aria-invalid', 'true');
    form.querySelector('.field').classList.add('field--error');
    button.disabled = false;
    input.focus();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    var file = input.files && input.files[0];
    if (!file) return showError(form.dataset.msgChoose);
    button.disabled = true;
    status.textContent = form.dataset.msgSending;
    file
      .arrayBuffer()
      .then(function (bytes) {
        return fetch(form.action, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'text/csv', accept: 'application/json', 'x-csrf-token': token },
          body: bytes,
        });
      })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok && body && typeof body.next === 'string' && body.next.charAt(0) === '/') {
            window.location.assign(body.next);
            return;
          }
          // Only the import's own 400 is worded for the user; anything else gets the general message.
          showError(response.status === 400 && body && body.message ? body.message : form.dataset.msgFailed);
        });
      })
      .catch(function () {
        showError(form.dataset.msgFailed);
      });
  });
})();
