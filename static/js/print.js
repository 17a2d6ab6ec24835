/* The guide's "Print" is a link to its print view, which works without
   script; with script it prints at once (the print stylesheet lays the guide
   out for paper), and the print view's own button appears. Before printing,
   folded sources open so that they print expanded. */
(function () {
  "use strict";
  if (!window.print) return;
  document.querySelectorAll("[data-print]").forEach(function (control) {
    control.hidden = false;
    control.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  });
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("#sources details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
