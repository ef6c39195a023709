"""Markdown to safe HTML for posts, and the plain text derived from it.

A post is rendered once, when it is saved, and the stored HTML is shown as-is,
so this package is the security boundary for user content. Two layers guard it:

1. markdown-it runs with ``html=False``: raw HTML in the source is escaped and
   shown as text, so the renderer itself only ever emits the tags it knows.
2. nh3 then cleans that output against an explicit allowlist of tags,
   attributes and URL schemes. It would catch a renderer bug or a malicious
   ``mention_url``/``tag_url`` result, so it never trusts the first layer.

Modules:
    markdown    the first layer: parsing, linkify, headings shifted down, render_markdown
    references  the @mention / #tag rule, with the per-call env it reads and fills
    sanitize    the second layer: the nh3 allowlist, URL checks, sanitize_html
    text        html_to_text and excerpt, for search documents and summaries
"""

from __future__ import annotations

from community.rendering.markdown import extract_hashtags, extract_mentions, render_markdown
from community.rendering.sanitize import sanitize_html
from community.rendering.text import excerpt, html_to_text

__all__ = [
    "excerpt",
    "extract_hashtags",
    "extract_mentions",
    "html_to_text",
    "render_markdown",
    "sanitize_html",
]
