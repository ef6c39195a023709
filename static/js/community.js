/*
 * Thread, ask and edit pages. Everything works without this file: the forms
 * post and redirect, and a textarea takes Markdown as it is. It lets htmx show
 * the reason when an action is refused, and gives Markdown textareas a
 * formatting toolbar, a Preview and an "Insert image" button.
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

  // POST a form to this site with the page's CSRF token; resolves to the
  // response's status and its body, read as JSON or text (`read`).
  function postForm(url, data, read) {
    return fetch(url, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    }).then(function (response) {
      return response[read]().then(function (body) {
        return { ok: response.ok, body: body };
      });
    });
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
      postForm(textarea.dataset.imageUpload, data, "json")
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

  // The toolbar: each button wraps the selection, or prefixes its lines, in
  // Markdown, as Stack Overflow's editor does.
  function wrap(textarea, before, after) {
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    textarea.value = value.slice(0, start) + before + value.slice(start, end) + after + value.slice(end);
    textarea.selectionStart = start + before.length;
    textarea.selectionEnd = end + before.length;
  }

  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var lines = value.slice(start, end).split("\n").map(function (line) {
      return prefix + line;
    });
    var text = lines.join("\n");
    textarea.value = value.slice(0, start) + text + value.slice(end);
    textarea.selectionStart = start;
    textarea.selectionEnd = start + text.length;
  }

  var FORMATS = {
    bold: function (t) { wrap(t, "**", "**"); },
    italic: function (t) { wrap(t, "*", "*"); },
    link: function (t) {
      wrap(t, "[", "](https://)");
      // Select the address, the part to type next.
      t.selectionStart = t.selectionEnd + 2;
      t.selectionEnd = t.selectionStart + "https://".length;
    },
    code: function (t) {
      var selected = t.value.slice(t.selectionStart, t.selectionEnd);
      if (selected.indexOf("\n") === -1) wrap(t, "`", "`");
      else wrap(t, "```\n", "\n```");
    },
    quote: function (t) { prefixLines(t, "> "); },
    list: function (t) { prefixLines(t, "- "); },
  };

  function showPreview(textarea, panel, template) {
    var data = new FormData();
    data.append("text", textarea.value);
    postForm(template.dataset.previewUrl, data, "text")
      .then(function (result) {
        // The server's renderer and sanitiser made this HTML, as for a saved post.
        if (result.ok) panel.innerHTML = result.body;
        else panel.textContent = result.body;
      })
      .catch(function () {
        panel.textContent = template.dataset.previewFailed;
      });
  }

  function addToolbar(textarea) {
    var template = document.getElementById("markdown-toolbar");
    if (!template || textarea.dataset.toolbarReady) return;
    textarea.dataset.toolbarReady = "1";
    var parts = template.content.cloneNode(true);
    var toolbar = parts.querySelector(".md-toolbar");
    var panel = parts.querySelector(".md-preview");
    panel.id = textarea.id + "-preview";
    textarea.insertAdjacentElement("beforebegin", toolbar);
    textarea.insertAdjacentElement("afterend", panel);
    var previewButton = toolbar.querySelector("[data-md=preview]");
    previewButton.setAttribute("aria-controls", panel.id);
    var pending = null;

    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (!button) return;
      var action = button.dataset.md;
      if (action === "preview") {
        var on = previewButton.getAttribute("aria-pressed") !== "true";
        previewButton.setAttribute("aria-pressed", on ? "true" : "false");
        panel.hidden = !on;
        if (on) showPreview(textarea, panel, template);
        return;
      }
      FORMATS[action](textarea);
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });

    // While the preview is open it follows the text, a moment after typing stops.
    textarea.addEventListener("input", function () {
      if (panel.hidden) return;
      clearTimeout(pending);
      pending = setTimeout(function () {
        showPreview(textarea, panel, template);
      }, 500);
    });
  }

  function enhanceAll(root) {
    root = root || document;
    root.querySelectorAll("textarea[data-markdown]").forEach(addToolbar);
    root.querySelectorAll("textarea[data-image-upload]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhanceAll(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhanceAll(event.detail.elt);
  });
})();
