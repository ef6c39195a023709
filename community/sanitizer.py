"""The allowlist that every piece of user HTML passes through before it is stored.

Rendered Markdown and imported HTML both end here, so there is one place that
decides what may reach a page.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "del", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
    "th", "td", "sup", "sub", "kbd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_LANGUAGE_CLASS = re.compile(r"^language-[a-z0-9+#-]{1,30}$")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "code" and attribute == "class":
        return value if _LANGUAGE_CLASS.match(value) else None
    if attribute in {"align"}:
        return value if value in {"left", "right", "center"} else None
    return value


def sanitize_html(dirty: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes; every link gets rel=nofollow ugc noopener."""
    return nh3.clean(
        dirty,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def html_to_text(markup: str) -> str:
    """Plain text of sanitised HTML, for search indexing and excerpts."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()
