// A language tab holding an error is marked and shown; a link from the error
// summary shows the tab of the field it points to. Runs on "load", after
// modeltranslation has built its tabs on DOM ready.
"use strict";
window.addEventListener("load", function () {
  var $ = window.jQuery || (window.django && window.django.jQuery);
  if (!$ || !$.fn.tabs) {
    return;
  }
  function show(panel) {
    var container = panel.parent();
    if (container.hasClass("ui-tabs")) {
      container.tabs("option", "active", container.children(".ui-tabs-panel").index(panel));
    }
  }
  $(".ui-tabs").each(function () {
    var container = $(this);
    var first = null;
    container.children(".ui-tabs-panel").each(function (index) {
      if ($(this).find(".errorlist, .errors").length) {
        container.find("> ul > li").eq(index).addClass("ui-tab-has-errors");
        if (first === null) {
          first = $(this);
        }
      }
    });
    if (first !== null) {
      show(first);
    }
  });
  $(document).on("click", ".error-summary a[href^='#']", function () {
    var target = document.getElementById(this.getAttribute("href").slice(1));
    if (target) {
      show($(target).closest(".ui-tabs-panel"));
      window.setTimeout(function () {
        target.focus();
      }, 0);
    }
  });
});
