// After htmx swaps in the outcome of a form (an update, a KPI value, a milestone),
// say it as a page load would: the title starts "Error: " while the page shows an
// error summary, as the pages drawn by the server do, and focus moves to what
// changed (the success message, the conflict heading or the error summary), so
// that keyboard and screen reader users learn the outcome without hunting for it.
(function () {
  "use strict";

  var PREFIX = "Error: ";

  function focusOutcome() {
    var marked = document.querySelector("[data-app-focus]");
    if (!marked) {
      return;
    }
    var target = marked.querySelector(".govuk-error-summary") || marked;
    marked.removeAttribute("data-app-focus");
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  function titleOutcome() {
    var title = document.title.indexOf(PREFIX) === 0 ? document.title.slice(PREFIX.length) : document.title;
    document.title = document.querySelector("main .govuk-error-summary") ? PREFIX + title : title;
  }

  document.addEventListener("htmx:afterSettle", function () {
    titleOutcome();
    focusOutcome();
  });
  // A conflict or error page reached without htmx (a normal POST) gets the same focus.
  focusOutcome();
})();
