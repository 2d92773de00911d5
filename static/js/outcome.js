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

  // A form htmx sends that gets no answer it can show (the connection lost, the server failing or busy, the
  // person's access gone): nothing on the page would change, and the person could leave thinking it saved. Say
  // it above the form, where they are looking, with what to do; what they typed stays in the form.
  var NOT_SENT = "app-not-sent";
  var REASONS = {
    0: "The connection to the tracker was lost. Check you are online, then send it again.",
    403: "The tracker did not accept it from this page. Copy what you typed, reload the page and send it again.",
    404: "What you were changing is no longer there, or you no longer have access to it. Copy what you typed and reload the page.",
    413: "It is larger than the tracker accepts. Choose smaller or fewer files and send it again.",
    429: "Too many changes have been sent from your account in a short time. Wait a minute, then send it again.",
    503: "The tracker is busy or being updated. Wait a minute, then send it again.",
  };
  var OTHERWISE = "Something went wrong on our side. Send it again; if it fails again, copy what you typed and tell your programme officer.";

  function notSent(event) {
    var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (!form) {
      return;
    }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var summary = document.getElementById(NOT_SENT) || document.createElement("div");
    summary.id = NOT_SENT;
    summary.className = "govuk-error-summary";
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("role", "alert");
    summary.innerHTML = '<div class="govuk-error-summary__title"></div><div class="govuk-error-summary__body"><p class="govuk-body"></p></div>';
    summary.querySelector(".govuk-error-summary__title").textContent = "What you sent has not been saved";
    summary.querySelector(".govuk-body").textContent = REASONS[status] || OTHERWISE;
    form.parentNode.insertBefore(summary, form);
    titleOutcome();
    summary.focus();
  }

  document.addEventListener("htmx:sendError", notSent);
  document.addEventListener("htmx:responseError", notSent);
  document.addEventListener("htmx:beforeRequest", function () {
    var earlier = document.getElementById(NOT_SENT);
    if (earlier) {
      earlier.remove();
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    titleOutcome();
    focusOutcome();
  });
  // A conflict or error page reached without htmx (a normal POST) gets the same focus.
  focusOutcome();
})();
