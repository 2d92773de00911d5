// After the update form is swapped in by htmx, move focus to what changed
// (the success message, the conflict heading or the error summary), so that
// keyboard and screen reader users learn the outcome without hunting for it.
(function () {
  "use strict";

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

  document.addEventListener("htmx:afterSettle", focusOutcome);
  // A conflict or error page reached without htmx (a normal POST) gets the same focus.
  focusOutcome();
})();
