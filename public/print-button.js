/*
 * A print button for printable pages (the sign-up slips): shown only when
 * JavaScript runs (the button is `hidden` in the markup), replacing the hint
 * to use the browser's own print command. A file, as the CSP allows no inline script.
 */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var button = document.querySelector('[data-print]');
    if (!button || !window.print) return;
    button.hidden = false;
    var note = document.querySelector('[data-print-note]');
    if (note) note.hidden = true;
    button.addEventListener('click', function () {
      window.print();
    });
  });
})();
