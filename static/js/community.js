/*
 * Thread and ask pages. Everything works without this file: the forms post
 * and redirect. It only lets htmx show the reason when an action is refused.
 */
(function () {
  "use strict";

  // htmx leaves 4xx responses unswapped. A refused vote, accept or "me too"
  // answers 400/403 with the widget and the reason, which should replace the
  // widget; only elements marked data-swap-errors opt in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 403) && target && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
