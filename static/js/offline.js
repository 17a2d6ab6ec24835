/* Registers the service worker (/sw.js) and asks it to keep this page, and on
   a guide its print view and counter cards, for use without a connection;
   then shows the "saved for offline" line the page carries hidden. Pages work
   the same without it.

   navigator.onLine is not consulted: Chromium reports false on a machine with
   no network interface but loopback while the site answers. Whether this page
   is a saved copy is marked by the service worker that served it. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.MessageChannel) return;
  var saved = document.getElementById("offline-saved");

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    // Only pages that say they can be saved (a guide, its print view, a card).
    if (!saved || !registration.active || document.documentElement.hasAttribute("data-saved-copy")) return;
    var pages = [location.href];
    document.querySelectorAll("a[data-offline]").forEach(function (a) { pages.push(a.href); });
    var assets = [];
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (l) { assets.push(l.href); });
    document.querySelectorAll("script[src]").forEach(function (s) { assets.push(s.src); });
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      var answer = event.data || {};
      if (saved && answer.saved === answer.asked && answer.saved > 0) saved.hidden = false;
      document.documentElement.setAttribute("data-offline", answer.saved === answer.asked ? "saved" : "partial");
    };
    registration.active.postMessage({ type: "save", pages: pages, assets: assets }, [channel.port2]);
  }).catch(function () { /* no offline copy: the page works as before */ });
})();
