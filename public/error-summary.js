/*
 * The error summary (views/partials/error-summary.hbs) takes the focus when a
 * page is shown again after a bad submission, so a screen reader reads it and
 * the keyboard starts there; its links move the focus to their field and
 * bring the field's label (or the group's legend) into view. The GOV.UK and
 * デジタル庁 design systems' pattern. Without JavaScript the summary is still
 * the first thing after the page's heading, with role="alert", and its links
 * are ordinary in-page links.
 */
(function () {
  'use strict';
  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }
  ready(function () {
    var summary = document.querySelector('[data-error-summary]');
    if (!summary) return;
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
      if (!link) return;
      var field = document.getElementById(link.getAttribute('href').slice(1));
      if (!field) return;
      event.preventDefault();
      var group = field.closest('fieldset');
      var label = group ? group.querySelector('legend') : document.querySelector('label[for="' + field.id + '"]');
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  });
})();
