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

  // "Insert image" for Markdown fields marked data-image-upload: the image is
  // uploaded, re-encoded by the server, and its Markdown inserted at the cursor.
  // Without this script members can still link images by URL.
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var value = textarea.value;
    var before = start > 0 && value[start - 1] !== "\n" ? "\n" : "";
    textarea.value = value.slice(0, start) + before + text + "\n" + value.slice(end);
    textarea.selectionStart = textarea.selectionEnd = start + before.length + text.length + 1;
    textarea.focus();
  }

  function enhance(textarea) {
    if (textarea.dataset.imageUploadReady) return;
    textarea.dataset.imageUploadReady = "1";
    var wrapper = document.createElement("div");
    wrapper.className = "image-upload";
    var input = document.createElement("input");
    input.type = "file";
    input.accept = "image/jpeg,image/png,image/gif,image/webp";
    input.id = textarea.id + "-image";
    input.className = "visually-hidden";
    var label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "button button-secondary button-small";
    label.textContent = textarea.closest("form").dataset.insertImageLabel || "Insert image";
    var status = document.createElement("span");
    status.className = "muted image-upload-status";
    status.setAttribute("role", "status");
    wrapper.append(input, label, status);
    textarea.insertAdjacentElement("afterend", wrapper);

    input.addEventListener("change", function () {
      var file = input.files[0];
      if (!file) return;
      var data = new FormData();
      data.append("image", file);
      status.textContent = "…";
      fetch(textarea.dataset.imageUpload, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          if (result.ok) {
            insertAtCursor(textarea, result.body.markdown);
            status.textContent = "";
          } else {
            status.textContent = result.body.detail || result.body.title || "";
          }
        })
        .catch(function () {
          status.textContent = "";
        })
        .finally(function () {
          input.value = "";
        });
    });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("textarea[data-image-upload]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.detail.elt);
  });
})();
