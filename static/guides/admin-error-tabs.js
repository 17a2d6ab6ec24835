// A language tab holding an error is marked and shown; a link from the error
// summary shows the tab of the field it points to. modeltranslation builds the
// tabs in a DOM-ready handler (run asynchronously by jQuery 3): wait for them.
//
// Every group opens on the first language's tab, the one the site requires
// (简体中文): opened on the admin's language, an editor wrote English alone
// and got an error per field. Read by modeltranslation when it builds them.
"use strict";
window.MODELTRANSLATION_AUTO_SELECT_CURRENT_LANGUAGE = false;
document.addEventListener("DOMContentLoaded", function () {
  // Read here, not when this file loads: the admin defines django.jQuery later.
  var $ = window.django && window.django.jQuery;
  var tries = 0;
  function whenTabsAreBuilt() {
    if ($(".ui-tabs").length || !$(".mt").length || tries > 100) {
      markErrors($);
    } else {
      tries += 1;
      window.setTimeout(whenTabsAreBuilt, 20);
    }
  }
  if ($) {
    $(whenTabsAreBuilt);
  }
});

function markErrors($) {
  if (!$.fn.tabs) {
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
  // A new step opens on the required language too, not on whichever tab was
  // last clicked somewhere else (modeltranslation's main switch). Its tabs are
  // built by a click handler that runs after Django's "formset:added".
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () {
      $(event.target).find(".ui-tabs").each(function () {
        $(this).tabs("option", "active", 0);
      });
    }, 0);
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
}
