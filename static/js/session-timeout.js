// The warning before a signed-in person's session ends (templates/includes/session_timeout.html).
// A page knows how long the session had left when it was drawn; shortly before the warning is due it asks the server
// again, since working in another tab keeps the session going. Asking does not count as activity. The warning is a
// modal dialog: "Stay signed in" (or Escape) keeps the person signed in; when the time runs out it says so, and how
// to carry on without losing what they typed.
(function () {
  "use strict";

  var dialog = document.getElementById("app-timeout");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var script = document.getElementById("app-timeout-script");
  var url = dialog.getAttribute("data-url");
  var warn = parseInt(dialog.getAttribute("data-warn"), 10);
  var cookieName = document.body.getAttribute("data-csrf-cookie");
  var timer = null;
  var ticking = null;
  var endsAt = 0;
  var announced = "";
  var over = false;
  var signIn = part("sign-in").getAttribute("href");

  function part(name) {
    return dialog.querySelector("[data-timeout-" + name + "]");
  }

  function token() {
    var found = document.cookie.split("; ").filter(function (pair) {
      return cookieName && pair.indexOf(cookieName + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(cookieName.length + 1)) : "";
  }

  function inWords(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  // Screen readers hear the time left when the minutes change, then every 20 seconds: not every second.
  function spoken(seconds) {
    return seconds >= 60 ? inWords(seconds) : inWords(Math.ceil(seconds / 20) * 20);
  }

  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") {
      headers["X-CSRFToken"] = token();
    }
    return fetch(url, { method: method, credentials: "same-origin", headers: headers, redirect: "error" }).then(
      function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      }
    );
  }

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(0, secondsLeft - warn) * 1000);
  }

  // What the server says is left: no warning yet, the warning, or the end.
  function follow(found) {
    if (found.seconds_left > warn) {
      close(found.seconds_left);
    } else if (found.seconds_left > 0) {
      show(found);
    } else {
      ended();
    }
  }

  function check() {
    ask("GET").then(follow, function () {
      timer = window.setTimeout(check, 30000); // offline or refused: ask again soon
    });
  }

  function show(found) {
    over = false;
    endsAt = Date.now() + found.seconds_left * 1000;
    part("title").textContent = "You’re about to be signed out";
    part("idle").hidden = !found.extendable;
    part("whole").hidden = found.extendable;
    part("ended").hidden = true;
    part("stay").hidden = !found.extendable;
    part("close").hidden = found.extendable;
    part("close").textContent = "Continue";
    part("sign-in").hidden = true;
    part("sign-out").hidden = false;
    announced = "";
    tick();
    window.clearInterval(ticking);
    ticking = window.setInterval(tick, 1000);
    if (!dialog.open) {
      dialog.showModal();
    }
    dialog.focus();
  }

  function tick() {
    var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    dialog.querySelectorAll("[data-timeout-countdown]").forEach(function (shown) {
      shown.textContent = inWords(left);
    });
    var words = "We will sign you out in " + spoken(left) + ".";
    if (left > 0 && words !== announced) {
      announced = words;
      part("announce").textContent = words;
    }
    if (left <= 0) {
      window.clearInterval(ticking);
      // Someone may have stayed signed in from another tab meanwhile.
      ask("GET").then(follow, ended);
    }
  }

  function ended() {
    over = true;
    window.clearInterval(ticking);
    window.clearTimeout(timer);
    part("title").textContent = "You have been signed out";
    part("idle").hidden = true;
    part("whole").hidden = true;
    part("ended").hidden = false;
    part("stay").hidden = true;
    part("close").hidden = false;
    part("close").textContent = "Back to the page";
    part("sign-out").hidden = true;
    part("sign-in").hidden = false;
    // Back to this page once signed in again.
    part("sign-in").setAttribute("href", signIn + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    part("announce").textContent = "";
    if (!dialog.open) {
      dialog.showModal();
    }
    dialog.focus();
  }

  function close(secondsLeft) {
    window.clearInterval(ticking);
    if (dialog.open) {
      dialog.close();
    }
    schedule(secondsLeft);
  }

  function stay() {
    ask("POST").then(function (found) {
      if (found.seconds_left > 0) {
        close(found.seconds_left);
      } else {
        ended();
      }
    }, ended);
  }

  part("stay").addEventListener("click", stay);
  part("close").addEventListener("click", function () {
    if (over) {
      dialog.close(); // back to the page, to send a form and sign in again
    } else {
      close(Math.max(0, Math.ceil((endsAt - Date.now()) / 1000)) + warn);
    }
  });
  // Escape closes a modal dialog: here it means the same as the button that carries on.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    if (!part("stay").hidden) {
      stay();
    } else if (!part("close").hidden) {
      part("close").click();
    }
  });

  schedule(parseInt(script.getAttribute("data-left"), 10));
})();
