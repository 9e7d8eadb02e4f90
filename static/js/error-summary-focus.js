/*
 * Move focus to a GOV.UK error summary that htmx has just swapped in (for example a return
 * entered in place on /returns/ that failed validation), so keyboard and screen-reader users
 * land on "There is a problem" as they do after a full-page submit. Full pages are handled by
 * GOV.UK Frontend's own error-summary component; this covers fragments. No inline script.
 */
(function () {
  'use strict';

  document.addEventListener('htmx:load', function (event) {
    var element = event.detail && event.detail.elt;
    if (!element || element === document.body || !element.querySelector) {
      return;
    }
    var summary = element.matches && element.matches('.govuk-error-summary')
      ? element
      : element.querySelector('.govuk-error-summary');
    if (!summary) {
      return;
    }
    // A div is not focusable by default; -1 lets script focus it without adding a tab stop.
    if (!summary.hasAttribute('tabindex')) {
      summary.setAttribute('tabindex', '-1');
    }
    summary.focus();
  });
})();
