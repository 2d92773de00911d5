// A form sends the CSRF token the browser holds now, not the one the page was drawn with. Signing in again
// (in another tab, or after the session ended) gives the browser a new token; without this, every form on a page
// opened before then would be refused, and what was typed into it lost. Django takes the cookie's secret as the
// token. Without a script, the page drawn with the old token is refused with a page saying what to do.
(function () {
  "use strict";

  var name = document.body.getAttribute("data-csrf-cookie");
  if (!name) {
    return;
  }

  function current() {
    var found = document.cookie.split("; ").filter(function (pair) {
      return pair.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
  }

  document.addEventListener(
    "submit",
    function (event) {
      var token = current();
      if (token && event.target.querySelectorAll) {
        event.target.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
          input.value = token;
        });
      }
    },
    true
  );

  document.addEventListener("htmx:configRequest", function (event) {
    var token = current();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });
})();
