/*
 * KPI Machine – tiny bootstrap script (no inline scripts, so a strict CSP
 * with script-src 'self' works).
 *
 * Loaded as a classic, synchronous <script> at the top of <body> so the
 * classes below are set before the page renders (avoids a flash of
 * un-enhanced components).
 */
(function () {
  'use strict';

  var body = document.body;
  body.className +=
    ' js-enabled' +
    ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');

  // GOV.UK Frontend 5 is an ES module (static/js/govuk-frontend.min.js,
  // loaded with type="module"); it does not create a global. If something
  // has exposed window.GOVUKFrontend use it, otherwise import the same
  // module URL (already loaded, so no second download or evaluation).
  function withGovukFrontend(callback) {
    if (window.GOVUKFrontend && typeof window.GOVUKFrontend.initAll === 'function') {
      callback(window.GOVUKFrontend);
      return;
    }
    var script = document.querySelector('script[type="module"][src*="govuk-frontend"]');
    if (!script || body.className.indexOf('govuk-frontend-supported') === -1) {
      return;
    }
    // Dynamic import is only reached in browsers that support modules.
    import(script.src).then(function (module) {
      window.GOVUKFrontend = module;
      callback(module);
    }).catch(function (error) {
      if (window.console) { window.console.error(error); }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    withGovukFrontend(function (GOVUKFrontend) {
      GOVUKFrontend.initAll();
    });
  });

  // Initialise GOV.UK components inside content swapped in by htmx.
  document.addEventListener('htmx:load', function (event) {
    var element = event.detail && event.detail.elt;
    if (!element || element === body || !element.querySelector) {
      return;
    }
    if (!element.querySelector('[data-module^="govuk-"]')) {
      return;
    }
    withGovukFrontend(function (GOVUKFrontend) {
      GOVUKFrontend.initAll({ scope: element });
    });
  });
})();
