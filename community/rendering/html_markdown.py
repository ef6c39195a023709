"""Sanitised HTML back to Markdown, so an imported post can be edited like any other.

Posts imported without their Markdown source keep the HTML Stack Exchange
rendered. Editing such a post opens it as Markdown: this converts the HTML so
that ``render_markdown`` of the result shows the same text, links, images,
lists and code as the HTML did. markdownify (MIT, maintained, one small
dependency: BeautifulSoup) does the conversion; this module only makes its
output unambiguous for our renderer, which does more than CommonMark:

- text is escaped wherever Markdown would read it as syntax (markdownify's
  ``escape_misc``), and also where our renderer would add what the HTML did
  not have: ``@name`` mentions, ``#tag`` links and bare URLs, e-mail
  addresses and ``www.`` hosts turned into links;
- link text is written as ``[text](url)``, never ``<url>``, whose text
  markdown-it would show decoded (``%20`` as a space);
- an image's alt text and a link's title are escaped, and a code block's
  fence is longer than any run of backticks inside it.

Known losses, none of them of words: a strikethrough around whole paragraphs
(Markdown has none) shows its tildes; an empty list item is dropped; <kbd>
becomes code and <sup>/<sub> plain text (Markdown has neither); <h1> and
<h2>, which rendering never makes, come back as <h3>.
"""

from __future__ import annotations

import re

from markdownify import ATX, SPACES, MarkdownConverter

from community.rendering.markdown import HEADING_SHIFT

_LANGUAGE_RE = re.compile(r"language-([a-z0-9+#-]+)")
_BACKTICKS_RE = re.compile(r"`+")
# What our renderer would link in plain text: a mention or a tag at a word start, a URL scheme,
# a www. host, an e-mail address. A backslash before the first character keeps each one text.
_REFERENCE_RE = re.compile(r"(?<![\w\\])([@#])(?=\w)")
_LINKIFIABLE_RE = re.compile(r"(:)(//)|\b(www)(\.)|(?<=\w)(@)(?=\w)", re.IGNORECASE)
_BRACKETS_RE = re.compile(r"([\[\]\\])")


def _unlink(match: re.Match[str]) -> str:
    if match.group(1):
        return ":\\/\\/"
    if match.group(3):
        return match.group(3) + "\\."
    return "\\@"


class _Converter(MarkdownConverter):
    def escape(self, text: str, parent_tags: set[str]) -> str:
        text = super().escape(text, parent_tags)
        text = _LINKIFIABLE_RE.sub(_unlink, text)
        return _REFERENCE_RE.sub(r"\\\1", text)

    def convert_hN(self, n: int, el, text: str, parent_tags: set[str]) -> str:  # noqa: N802 (markdownify's name)
        # Rendering shifts headings down (community.rendering.markdown): shift them up first, so an
        # <h3> comes back as an <h3>.
        return super().convert_hN(max(n - HEADING_SHIFT, 1), el, text, parent_tags)

    def convert_img(self, el, text: str, parent_tags: set[str]) -> str:
        el.attrs["alt"] = _BRACKETS_RE.sub(r"\\\1", el.attrs.get("alt") or "")
        # markdownify writes only the alt text of an image inside a heading or a table cell;
        # Markdown shows images there, and the HTML did.
        return super().convert_img(el, text, parent_tags - {"_inline"})

    def convert_pre(self, el, text: str, parent_tags: set[str]) -> str:
        if not text:
            return ""
        code = el.find("code")
        found = _LANGUAGE_RE.fullmatch(" ".join(code.get("class") or [])) if code else None
        language = found.group(1) if found else ""
        longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}{language}\n{text.strip(chr(10))}\n{fence}\n\n"


_CONVERTER = _Converter(
    heading_style=ATX,
    bullets="-",
    newline_style=SPACES,
    autolinks=False,
    escape_misc=True,
    escape_asterisks=True,
    escape_underscores=True,
)


def html_to_markdown(html: str) -> str:
    """Markdown that renders as `html` (sanitised HTML, as stored for imported posts) shows."""
    return _CONVERTER.convert(html).strip() + "\n"
