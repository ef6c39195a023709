"""The second layer: nh3 cleans HTML against an explicit allowlist.

It runs on everything ``render_markdown`` produces and on HTML from elsewhere
(imported content), and trusts neither: tags, attributes, URL schemes and
attribute values are all checked here. The Cleaner is built once at import
and never mutated, so it is safe to share between threads.
"""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "blockquote", "pre", "code", "kbd", "strong", "em", "del", "s", "sup", "sub"}
    | {"h1", "h2", "h3", "h4", "h5", "h6"}
    | {"ul", "ol", "li", "a", "img"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
# The raw HTML a post's Markdown may contain, as on Stack Overflow: bare tags with no
# attributes, a subset of ALLOWED_TAGS. Any other markup is shown as text.
INLINE_HTML_TAGS = frozenset({"kbd", "sup", "sub", "br", "del"})
ALLOWED_ATTRIBUTES = {
    # class on <a> is only ever "mention" or "hashtag" (see _filter_attribute).
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    # <ol start="3"> keeps a list that resumes after a paragraph numbered right.
    "ol": {"start"},
}
# Values of the align attribute on table cells; rendering maps markdown-it's
# style="text-align:..." onto these, since style itself is banned.
ALLOWED_ALIGNMENTS = frozenset({"left", "center", "right"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
IMAGE_ATTRIBUTES = {"referrerpolicy": "no-referrer", "loading": "lazy"}

_CODE_CLASS_RE = re.compile(r"language-[a-z0-9+#-]+")
_LINK_CLASSES = frozenset({"mention", "hashtag"})
_DIMENSION_RE = re.compile(r"[0-9]{1,4}")
# Browsers drop ASCII whitespace and control characters inside a URL before
# reading its scheme ("jav\tascript:"), so the check must see what they see.
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f]+")


def _is_site_relative(url: str) -> bool:
    # "//host" and "/\host" are protocol-relative in browsers: another site.
    return url.startswith("/") and not url.startswith(("//", "/\\"))


def _is_allowed_url(value: str, *, allow_mailto: bool) -> bool:
    url = _URL_NOISE_RE.sub("", value).lower()
    if url.startswith(("http://", "https://")):
        return True
    if allow_mailto and url.startswith("mailto:"):
        return True
    return _is_site_relative(url)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Second check on values the allowlist lets through by name.

    nh3 already applies the scheme allowlist; this adds what it cannot express:
    no mailto: images, no relative URLs other than "/path", and value patterns.
    """
    if attribute == "href":
        return value if _is_allowed_url(value, allow_mailto=True) else None
    if attribute == "src":
        return value if _is_allowed_url(value, allow_mailto=False) else None
    if attribute == "class":
        if tag == "code":
            return value if _CODE_CLASS_RE.fullmatch(value) else None
        if tag == "a":
            return value if value in _LINK_CLASSES else None
        return None
    if attribute == "align":
        return value if value in ALLOWED_ALIGNMENTS else None
    if attribute in ("width", "height", "start"):
        return value if _DIMENSION_RE.fullmatch(value) else None
    return value


def _relative_url(url: str) -> str | None:
    return url if _is_site_relative(_URL_NOISE_RE.sub("", url)) else None


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=LINK_REL,
    url_schemes=set(URL_SCHEMES),
    url_relative=_relative_url,
    # Images may come from any https: host (see img-src in the settings): the host
    # must not learn which page showed them, and off-screen ones wait until scrolled to.
    # Set on every image so a post cannot choose other values.
    set_tag_attribute_values={"img": dict(IMAGE_ATTRIBUTES)},
)


def sanitize_html(html: str) -> str:
    """Clean HTML with the same allowlist rendering uses (the second layer alone).

    For HTML that did not come from ``render_markdown``, e.g. imported content.
    """
    return _CLEANER.clean(html)
