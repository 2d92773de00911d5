// A form its person sent after their session ended comes back filled in, once they have signed in again
// (accounts/unsent.py keeps it; templates/includes/unsent_form.html says so and carries the values).
// Each kept value goes back into the field of the same name in the form that sent it; files cannot.
(function () {
  "use strict";

  var data = document.getElementById("app-unsent-fields");
  var marker = document.getElementById("app-unsent");
  if (!data || !marker) {
    return;
  }
  var fields = JSON.parse(data.textContent);
  var form = Array.prototype.find.call(document.forms, function (candidate) {
    return new URL(candidate.action, document.baseURI).pathname === marker.getAttribute("data-action");
  });
  if (!form) {
    return;
  }

  function restore(element, values) {
    if (element.type === "file" || element.name === "csrfmiddlewaretoken") {
      return;
    }
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = values.indexOf(element.value) !== -1;
    } else if (element.tagName === "SELECT") {
      Array.prototype.forEach.call(element.options, function (option) {
        option.selected = values.indexOf(option.value) !== -1;
      });
    } else {
      element.value = values[0];
    }
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }

  var restored = false;
  Object.keys(fields).forEach(function (name) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name === name) {
        restore(element, fields[name]);
        restored = true;
      }
    });
  });
  if (restored) {
    document.querySelectorAll(".app-unsent-manual").forEach(function (element) {
      element.remove();
    });
    document.querySelectorAll(".app-unsent-restored").forEach(function (element) {
      element.hidden = false;
    });
  }
})();
