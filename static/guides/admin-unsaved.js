// Leaving a guide's form with changes not yet saved asks first (the browser's
// own "Leave site?" prompt). Saving, or any of the form's buttons, does not.
// Without JavaScript nothing changes: the form still saves as before.
"use strict";
(function () {
  var changed = false;
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("#content-main form");
    if (!form) {
      return;
    }
    function mark() {
      changed = true;
    }
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function () {
      changed = false;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
