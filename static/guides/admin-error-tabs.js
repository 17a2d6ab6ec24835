// A language tab holding an error is marked and shown; a link from the error
// summary shows the tab of the field it points to. modeltranslation builds the
// tabs in a DOM-ready handler (run asynchronously by jQuery 3): wait for them.
//
// A group whose required language (简体中文, the tab modeltranslation marks
// "required") is still empty opens on that tab, not on the admin's language:
// a new guide opened on English, an editor wrote English alone and got an
// error per field. A group already written opens on the admin's language.
"use strict";
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
    openRequiredIfEmpty($(this));
  });
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
  // A new step opens on the tabs the step before it shows, not on whichever
  // tab was last clicked anywhere on the page (modeltranslation's main
  // switch). Its tabs are built by a click handler that runs after Django's
  // "formset:added".
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () {
      var row = $(event.target);
      var before = row.prevAll(".inline-related").not(".empty-form").first();
      var shown = before.find(".ui-tabs");
      row.find(".ui-tabs").each(function (index) {
        if (index < shown.length) {
          $(this).tabs("option", "active", $(shown[index]).tabs("option", "active"));
        } else {
          openRequiredIfEmpty($(this));
        }
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

function openRequiredIfEmpty(container) {
  var tab = container.find("> ul > li.required").first();
  if (!tab.length) {
    return;
  }
  var index = container.find("> ul > li").index(tab);
  var panel = container.children(".ui-tabs-panel").eq(index);
  var field = panel.find("input, textarea").filter(":not([type=hidden])").first();
  if (field.length && !field.val()) {
    container.tabs("option", "active", index);
  }
}
