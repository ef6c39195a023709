/*
 * Small progressive enhancements. Everything works without this file;
 * the Content-Security-Policy allows only same-origin scripts, so no
 * inline handlers or eval here either.
 */
(function () {
  "use strict";

  // Let people close flash messages. The button is added by script because
  // without script it could do nothing.
  function addDismissButtons(root) {
    root.querySelectorAll(".messages[data-dismiss-label]").forEach(function (container) {
      var label = container.getAttribute("data-dismiss-label");
      container.querySelectorAll(".message").forEach(function (message) {
        if (message.querySelector(".message-dismiss")) {
          return;
        }
        var button = document.createElement("button");
        button.type = "button";
        button.className = "message-dismiss";
        button.setAttribute("aria-label", label);
        button.textContent = "\u00d7";
        button.addEventListener("click", function () {
          message.remove();
          if (!container.querySelector(".message")) {
            container.remove();
          }
        });
        message.append(button);
      });
    });
  }

  // Disclosure menus (<details class="member-menu">) open and close without
  // script; this only closes them on a click elsewhere or Escape, as people expect.
  function closeMenus(except) {
    document.querySelectorAll("details.member-menu[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.member-menu"));
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest && event.target.closest("details.member-menu[open]");
    closeMenus(null);
    if (menu) {
      menu.querySelector("summary").focus();
    }
  });

  function init() {
    addDismissButtons(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:load", function (event) {
    addDismissButtons(event.target);
  });
})();
