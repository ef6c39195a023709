"""Markdown to safe HTML for posts, and the plain text derived from it.

A post is rendered once, when it is saved, and the stored HTML is shown as-is,
so this module is the security boundary for user content. Two layers guard it:

1. markdown-it runs with ``html=False``: raw HTML in the source is escaped and
   shown as text, so the renderer itself only ever emits the tags it knows.
2. nh3 then cleans that output against an explicit allowlist of tags,
   attributes and URL schemes. It would catch a renderer bug or a malicious
   ``mention_url``/``tag_url`` result, so it never trusts the first layer.

Headings are shifted down two levels (``#`` becomes ``<h3>``, ``####`` and
deeper become ``<h6>``): a post sits inside a page that already has its own
``<h1>`` (the thread title) and ``<h2>`` sections, and shifting rather than
clamping keeps the post's own hierarchy for the levels people actually use.

The MarkdownIt and nh3 objects are built once at import and never mutated
afterwards; per-call data (the URL resolvers and what was found) travels in the
``env`` dict markdown-it hands to every rule, so the functions are thread-safe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import nh3
from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

__all__ = [
    "excerpt",
    "extract_hashtags",
    "extract_mentions",
    "html_to_text",
    "render_markdown",
    "sanitize_html",
]

UrlResolver = Callable[[str], str | None]

HEADING_SHIFT = 2

# ---------------------------------------------------------------------------
# Mentions and hashtags
# ---------------------------------------------------------------------------

# A username may contain dots but not end with one ("thanks @bob." mentions bob);
# a tag is lower-case letters, digits and hyphens. Both must start with a word
# character so "@." or "#-" never match.
_REFERENCE_RE = re.compile(r"@(?P<user>[A-Za-z0-9_][A-Za-z0-9_.-]*)|#(?P<tag>[A-Za-z0-9][A-Za-z0-9-]*)")
# A marker right after one of these is inside a word, an e-mail address, a path
# or a URL that linkify did not claim ("a@b", "issue#12", "/@scope/pkg", "&#tag").
_JOINED_BEFORE = frozenset("_.-+@#/\\:&=?%~$^|`")
# A name running into one of these is part of something longer
# ("@bob@example.social", "@types/node", "#c++", "#foo_bar").
_JOINED_AFTER = frozenset("_@#/+")

_MENTIONS = "rapport_mentions"
_HASHTAGS = "rapport_hashtags"
_RESOLVERS = "rapport_resolvers"
_RESOLVED = "rapport_resolved"


def _is_joined(char: str, joined: frozenset[str]) -> bool:
    return bool(char) and (char.isalnum() or char in joined)


def _edge_char(tokens: list[Token], index: int, position: int) -> str:
    """First/last character of a neighbouring text token, or "" at a markup boundary."""
    if 0 <= index < len(tokens):
        token = tokens[index]
        if token.type in ("text", "text_special") and token.content:
            return token.content[position]
    return ""


def _resolve(env: dict, kind: str, key: str) -> str | None:
    resolver = env[_RESOLVERS].get(kind)
    if resolver is None:
        return None
    # A post that says "@bob" five times looks bob up once.
    cache = env[_RESOLVED]
    if (kind, key) not in cache:
        cache[(kind, key)] = resolver(key)
    return cache[(kind, key)]


def _split_references(token: Token, before: str, after: str, env: dict) -> list[Token]:
    text = token.content
    nodes: list[Token] = []
    last = 0
    for match in _REFERENCE_RE.finditer(text):
        start = match.start()
        if _is_joined(text[start - 1] if start else before, _JOINED_BEFORE):
            continue
        user = match.group("user")
        if user is not None:
            kind, name = "mention", user.rstrip(".")
        else:
            kind, name = "hashtag", match.group("tag").rstrip("-")
        end = start + 1 + len(name)
        if _is_joined(text[end] if end < len(text) else after, _JOINED_AFTER):
            continue
        if kind == "hashtag":
            # "#123" is an issue or list number, not a topic.
            if not any(char.isalpha() for char in name):
                continue
            key = name.lower()
            env[_HASHTAGS].setdefault(key, None)
        else:
            key = name
            env[_MENTIONS].setdefault(key, None)

        url = _resolve(env, kind, key)
        if not url:
            continue
        if start > last:
            nodes.append(_text_token(text[last:start], token.level))
        nodes.append(Token("link_open", "a", 1, attrs={"href": url, "class": kind}, markup=kind, level=token.level))
        nodes.append(_text_token(text[start:end], token.level + 1))
        nodes.append(Token("link_close", "a", -1, markup=kind, level=token.level))
        last = end

    if not nodes:
        return [token]
    if last < len(text):
        nodes.append(_text_token(text[last:], token.level))
    return nodes


def _text_token(content: str, level: int) -> Token:
    return Token("text", "", 0, content=content, level=level)


def _references(state: StateCore) -> None:
    """Turn @username and #tag in plain text into links, and record them in env.

    Runs after linkify and before text_join, so URLs (autolinked or written as
    links) are already link tokens and skipped, code spans and blocks are not
    text tokens at all, and a backslash-escaped "\\@" or "\\#" is still its own
    text_special token, which lets a writer opt out of a mention.
    """
    env = state.env
    if _MENTIONS not in env:
        # Parsed without our env (someone calling the instance directly): no-op.
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        if "@" not in block.content and "#" not in block.content:
            continue
        children = block.children
        rebuilt: list[Token] = []
        link_depth = 0
        for index, child in enumerate(children):
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            if child.type != "text" or link_depth or ("@" not in child.content and "#" not in child.content):
                rebuilt.append(child)
                continue
            before = _edge_char(children, index - 1, -1)
            after = _edge_char(children, index + 1, 0)
            rebuilt.extend(_split_references(child, before, after, env))
        block.children = rebuilt


# ---------------------------------------------------------------------------
# Block tidying: headings, table alignment, code language
# ---------------------------------------------------------------------------

_LANGUAGE_RE = re.compile(r"[a-z0-9+#-]+")
_ALIGNMENTS = frozenset({"left", "center", "right"})


def _tidy_blocks(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
        elif token.type in ("th_open", "td_open"):
            # markdown-it writes style="text-align:..."; style is banned outright,
            # so carry the alignment as the (style-free) align attribute instead.
            style = str(token.attrs.pop("style", ""))
            alignment = style.removeprefix("text-align:")
            if alignment in _ALIGNMENTS:
                token.attrs["align"] = alignment
        elif token.type == "fence":
            # Only the first word names the language; lower-casing lets "Python"
            # survive the sanitiser's language-[a-z0-9+#-]+ class rule.
            words = unescapeAll(token.info).split(maxsplit=1)
            language = words[0].lower() if words else ""
            token.info = language if _LANGUAGE_RE.fullmatch(language) else ""


# ---------------------------------------------------------------------------
# The parser, built once
# ---------------------------------------------------------------------------


_WWW_PRECEDERS = frozenset(" \t\n\r\f\v([{<>\"'*_~|")


class _Linkifier(LinkifyIt):
    """Autolink http(s) URLs, www. hosts and e-mail addresses only, as GFM does.

    linkify-it's fuzzy mode would also link any word ending in a two-letter
    TLD, which in a technical community turns "manage.py" and "setup.py" into
    links to strangers' domains, and its regexes were the slowest part of
    rendering. So fuzzy links are off and "www." is a scheme of its own.
    ftp: and protocol-relative "//host" links would lose their href in the
    sanitiser anyway; not linking them keeps the text readable.
    """

    def __init__(self) -> None:
        super().__init__(
            schemas={
                "ftp:": None,
                "//": None,
                "www.": {"validate": self._validate_www, "normalize": self._normalize_www},
            },
            options={"fuzzy_link": False, "fuzzy_email": True, "fuzzy_ip": False},
        )
        # Compiled here, not lazily like linkify-it's own, so that concurrent
        # first calls never race to build it.
        self._www_tail = re.compile(
            "(?:(?:"
            + self.re["src_domain"]
            + ")\\.)+"
            + self.re["src_domain_root"]
            + self.re["src_port"]
            + self.re["src_host_terminator"]
            + self.re["src_path"],
            flags=re.IGNORECASE,
        )

    def _validate_www(self, text: str, pos: int) -> int:
        # Only a "www." that starts a word starts a link. Without this, every
        # "www." inside a longer host or path ("www.www.www...") is matched to
        # the end of the text again: quadratic time on a hostile post.
        start = pos - len("www.")
        if start > 0 and text[start - 1] not in _WWW_PRECEDERS:
            return 0
        found = self._www_tail.match(text, pos)
        return len(found.group(0)) if found else 0

    def _normalize_www(self, match: Match) -> None:
        match.url = "http://" + match.url

    # Every link we keep has one of these, so text without them skips
    # linkify-it's large Unicode regexes entirely.
    @staticmethod
    def _may_link(text: str) -> bool:
        return "://" in text or "@" in text or "www." in text.lower()

    def pretest(self, text: str) -> bool:
        return self._may_link(text) and super().pretest(text)

    def test(self, text: str) -> bool:
        return self._may_link(text) and super().test(text)


# markdown-it's own inline linkify rule searches all the pending text for a
# scheme name at every "://", which is quadratic on a post of many URLs run
# together ("http://a.http://a.http://..." took seconds for a few KB). The
# only schemes linked with "://" here are http and https, so the last six
# characters (the name plus the one before it) are all that need looking at.
_SCHEME_TAIL_RE = re.compile(r"(?:^|[^a-z0-9.+-])(https?)$", re.IGNORECASE)


def _linkify_inline(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline linkify rule, with the scheme search bounded."""
    if state.linkLevel > 0 or not state.src.startswith("://", state.pos):
        return False
    scheme = _SCHEME_TAIL_RE.search(state.pending[-6:])
    if not scheme:
        return False
    proto = scheme.group(1)
    link = state.md.linkify.match_at_start(state.src[state.pos - len(proto) :])
    if not link:
        return False
    url = link.url.rstrip("*")  # a trailing "*" closes emphasis, as upstream
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "linkify"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos += len(url) - len(proto)
    return True


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt(
        "gfm-like",  # CommonMark + tables + strikethrough + linkify
        {"html": False, "linkify": True, "typographer": False, "xhtmlOut": False},
    )
    md.linkify = _Linkifier()
    md.inline.ruler.at("linkify", _linkify_inline)
    md.core.ruler.after("linkify", "rapport_references", _references)
    md.core.ruler.push("rapport_tidy", _tidy_blocks)
    # Compile the rule chains now rather than racing to do it on the first
    # concurrent requests.
    md.render("warm *up* @a #b www.example.com\n\n| a |\n|---|\n| b |\n", _new_env(None, None))
    return md


# ---------------------------------------------------------------------------
# The sanitiser, built once
# ---------------------------------------------------------------------------

ALLOWED_TAGS = frozenset(
    {"p", "br", "hr", "blockquote", "pre", "code", "kbd", "strong", "em", "del", "s", "sup", "sub"}
    | {"h1", "h2", "h3", "h4", "h5", "h6"}
    | {"ul", "ol", "li", "a", "img"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
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
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

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
        return value if value in _ALIGNMENTS else None
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
)


def _new_env(mention_url: UrlResolver | None, tag_url: UrlResolver | None) -> dict:
    return {
        _RESOLVERS: {"mention": mention_url, "hashtag": tag_url},
        _RESOLVED: {},
        # dicts as insertion-ordered sets: unique, in order of first appearance.
        _MENTIONS: {},
        _HASHTAGS: {},
    }


_MD = _build_markdown()


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def render_markdown(
    source: str,
    *,
    mention_url: UrlResolver | None = None,
    tag_url: UrlResolver | None = None,
) -> str:
    """Render post Markdown to sanitised HTML, ready to store and show as-is.

    ``mention_url(username)`` and ``tag_url(tag)`` return the URL to link to, or
    None to leave the text plain (an unknown user, a tag that doesn't exist).
    Each distinct name is looked up once per call. Tags are lower-cased before
    the lookup; usernames are passed as written.
    """
    html = _MD.render(source, _new_env(mention_url, tag_url))
    return _CLEANER.clean(html)


def sanitize_html(html: str) -> str:
    """Clean HTML with the same allowlist rendering uses (the second layer alone).

    For HTML that did not come from ``render_markdown``, e.g. imported content.
    """
    return _CLEANER.clean(html)


def extract_mentions(source: str) -> list[str]:
    """Usernames @mentioned in the source, unique, in order of first mention.

    Uses the same parser as rendering, so names inside code, links and URLs,
    and the domain part of e-mail addresses, are not mentions.
    """
    env = _new_env(None, None)
    _MD.parse(source, env)
    return list(env[_MENTIONS])


def extract_hashtags(source: str) -> list[str]:
    """Lower-cased #tags in the source, unique, in order of first use."""
    env = _new_env(None, None)
    _MD.parse(source, env)
    return list(env[_HASHTAGS])


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


def html_to_text(html: str) -> str:
    """Plain text of rendered HTML, entities unescaped and whitespace collapsed.

    The result is text, not HTML: escape it again wherever it is put into a page.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


_ELLIPSIS = "\u2026"
_TRAILING_JUNK = " \t,.;:!?-\u2013\u2014([{\"'"


def excerpt(html: str, length: int = 200) -> str:
    """Plain-text excerpt of rendered HTML, at most ``length`` characters.

    Cut at the last word boundary that fits, with "…" appended when anything
    was cut. A single very long word (a URL, a hash) is cut mid-word instead of
    leaving an excerpt that is nearly empty.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    text = html_to_text(html)
    if len(text) <= length:
        return text
    window = text[: length - 1]  # room for the ellipsis
    if text[length - 1] != " ":
        head, space, _ = window.rpartition(" ")
        if space and len(head) >= length // 2:
            window = head
    return window.rstrip(_TRAILING_JUNK) + _ELLIPSIS
