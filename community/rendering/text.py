"""Plain text from rendered HTML: for search documents, excerpts and feeds."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# Closing one of these ends a run of text, so words on either side must not
# run together ("<li>a</li><li>b</li>" is "a b", not "ab").
_BLOCK_TAGS = frozenset(
    {"p", "br", "hr", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd"}
    | {"h1", "h2", "h3", "h4", "h5", "h6"}
    | {"table", "thead", "tbody", "tfoot", "tr", "th", "td"}
    | {"div", "section", "article", "aside", "header", "footer", "main", "nav", "address", "figure", "figcaption"}
)
_INVISIBLE_TAGS = frozenset({"script", "style", "template", "head", "title"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")
        elif tag == "img" and not self._hidden:
            # An image's alt text is what a reader (or a search) can know of it.
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


# A start or end tag as the sanitiser writes them: a name, then attributes whose
# quoted values may hold ">" but never a quote of their own kind.
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ALT = re.compile(r"""(?:^|\s)alt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
# What only the full parser reads right: comments, doctypes, hidden elements' text, a stray "<".
_UNUSUAL = re.compile(r"<[!?]|<(?:script|style|template|head|title)\b", re.IGNORECASE)


def _text_of_tags(html: str) -> str | None:
    """html_to_text's result read with one regular expression, or None where the full parser is needed.

    Sanitised HTML, what every caller passes, is regular enough: about ten
    times faster than HTMLParser, which was most of the time an importer
    spent on excerpts and members' profiles.
    """
    if _UNUSUAL.search(html):
        return None
    parts: list[str] = []
    position = 0
    for tag in _TAG.finditer(html):
        data = html[position : tag.start()]
        if "<" in data:
            return None
        parts.append(unescape(data))
        position = tag.end()
        closing, name = tag.group(1), tag.group(2).lower()
        if name in _BLOCK_TAGS:
            parts.append(" ")
        elif name == "img" and not closing:
            alt = _ALT.findall(tag.group(3))
            value = unescape(next(filter(None, alt[-1]), "")) if alt else ""
            if value:
                parts.append(f" {value} ")
    data = html[position:]
    if "<" in data:
        return None
    parts.append(unescape(data))
    return "".join(parts)


def html_to_text(html: str) -> str:
    """Plain text of rendered HTML, entities unescaped and whitespace collapsed.

    The result is text, not HTML: escape it again wherever it is put into a page.
    """
    text = _text_of_tags(html)
    if text is None:
        collector = _TextCollector()
        collector.feed(html)
        collector.close()
        text = "".join(collector.parts)
    return " ".join(text.split())


_ELLIPSIS = "\u2026"
_TRAILING_JUNK = " \t,.;:!?-\u2013\u2014([{\"'"
# An excerpt of a long post reads the first length × _PREFIX_FACTOR characters
# of its HTML; if they hold _PREFIX_MARGIN characters of text more than the
# excerpt needs, the rest cannot change it (only the last few characters of
# a prefix's text can differ from the whole's: a cut entity, a space).
_PREFIX_FACTOR = 8
_PREFIX_MARGIN = 40  # the longest named entity, cut, is 32 characters of text


def _text_for_excerpt(html: str, length: int) -> str:
    """The text excerpt() cuts from: that of a prefix of the HTML when it is long enough to decide."""
    limit = length * _PREFIX_FACTOR
    if len(html) > limit:
        cut = html.rfind("<", 0, limit)  # before the last tag that starts in it, so no tag is cut in two
        text = html_to_text(html[: cut if cut > 0 else limit])
        if len(text) >= length + _PREFIX_MARGIN:
            return text
    return html_to_text(html)


def excerpt(html: str, length: int = 200) -> str:
    """Plain-text excerpt of rendered HTML, at most ``length`` characters.

    Cut at the last word boundary that fits, with "…" appended when anything
    was cut. A single very long word (a URL, a hash) is cut mid-word instead of
    leaving an excerpt that is nearly empty.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    return cut_excerpt(_text_for_excerpt(html, length), length)


def cut_excerpt(text: str, length: int) -> str:
    """excerpt() of plain text."""
    if len(text) <= length:
        return text
    window = text[: length - 1]  # room for the ellipsis
    if text[length - 1] != " ":
        head, space, _ = window.rpartition(" ")
        if space and len(head) >= length // 2:
            window = head
    return window.rstrip(_TRAILING_JUNK) + _ELLIPSIS
