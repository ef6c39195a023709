"""The first layer: post Markdown parsed and rendered by markdown-it.

Raw HTML in the source is shown as text, except the bare inline tags of
``INLINE_HTML_TAGS`` (``<kbd>``, ``<sup>``, ``<sub>``, ``<br>``, ``<del>``, with
no attributes): markdown-it parses inline HTML only (its HTML-block rule is
off), and every other raw tag is turned back into text before rendering. The
output still goes through the sanitiser, whose allowlist contains those tags,
before it is returned.

Headings are shifted down two levels (``#`` becomes ``<h3>``, ``####`` and
deeper become ``<h6>``): a post sits inside a page that already has its own
``<h1>`` (the thread title) and ``<h2>`` sections, and shifting rather than
clamping keeps the post's own hierarchy for the levels people actually use.

The MarkdownIt instance is built once at import and never mutated afterwards;
per-call data travels in the ``env`` dict (see ``references``), so the
functions here are thread-safe.
"""

from __future__ import annotations

import re

from linkify_it import LinkifyIt
from linkify_it.main import Match
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

from community.rendering.references import HASHTAGS, MENTIONS, UrlResolver, link_references, new_env
from community.rendering.sanitize import ALLOWED_ALIGNMENTS, ALLOWED_TAGS, INLINE_HTML_TAGS, sanitize_html

HEADING_SHIFT = 2

# ---------------------------------------------------------------------------
# Block tidying: headings, table alignment, code language
# ---------------------------------------------------------------------------

_LANGUAGE_RE = re.compile(r"[a-z0-9+#-]+")


def _tidy_blocks(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
        elif token.type in ("th_open", "td_open"):
            # markdown-it writes style="text-align:..."; style is banned outright,
            # so carry the alignment as the (style-free) align attribute instead.
            style = str(token.attrs.pop("style", ""))
            alignment = style.removeprefix("text-align:")
            if alignment in ALLOWED_ALIGNMENTS:
                token.attrs["align"] = alignment
        elif token.type == "fence":
            # Only the first word names the language; lower-casing lets "Python"
            # survive the sanitiser's language-[a-z0-9+#-]+ class rule.
            words = unescapeAll(token.info).split(maxsplit=1)
            language = words[0].lower() if words else ""
            token.info = language if _LANGUAGE_RE.fullmatch(language) else ""


# ---------------------------------------------------------------------------
# Inline HTML: the allowed subset, everything else as text
# ---------------------------------------------------------------------------

assert INLINE_HTML_TAGS <= ALLOWED_TAGS  # noqa: S101 - the sanitiser would strip a tag it does not allow
_INLINE_HTML_RE = re.compile(
    r"<(?:(?:{tags})\s*|/(?:{tags})\s*|br\s*/)>".format(tags="|".join(sorted(INLINE_HTML_TAGS))),
    re.IGNORECASE,
)


def _inline_html_subset(state: StateCore) -> None:
    """Keep raw tags of the allowed subset; make any other raw markup text, escaped as with html=False."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type == "html_inline" and not _INLINE_HTML_RE.fullmatch(token.content):
                token.type = "text"


# ---------------------------------------------------------------------------
# Linkify
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


# ---------------------------------------------------------------------------
# The parser, built once
# ---------------------------------------------------------------------------


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt(
        "gfm-like",  # CommonMark + tables + strikethrough + linkify
        {"html": True, "linkify": True, "typographer": False, "xhtmlOut": False},
    )
    # Block-level HTML would pass whole <div>s through; inline tags are filtered one by one below.
    md.disable("html_block")
    md.core.ruler.before("linkify", "rapport_inline_html", _inline_html_subset)
    md.linkify = _Linkifier()
    md.inline.ruler.at("linkify", _linkify_inline)
    md.core.ruler.after("linkify", "rapport_references", link_references)
    md.core.ruler.push("rapport_tidy", _tidy_blocks)
    # Compile the rule chains now rather than racing to do it on the first
    # concurrent requests.
    md.render("warm *up* @a #b www.example.com\n\n| a |\n|---|\n| b |\n", new_env(None, None))
    return md


_MD = _build_markdown()


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
    html = _MD.render(source, new_env(mention_url, tag_url))
    return sanitize_html(html)


def extract_mentions(source: str) -> list[str]:
    """Usernames @mentioned in the source, unique, in order of first mention.

    Uses the same parser as rendering, so names inside code, links and URLs,
    and the domain part of e-mail addresses, are not mentions.
    """
    env = new_env(None, None)
    _MD.parse(source, env)
    return list(env[MENTIONS])


def extract_hashtags(source: str) -> list[str]:
    """Lower-cased #tags in the source, unique, in order of first use."""
    env = new_env(None, None)
    _MD.parse(source, env)
    return list(env[HASHTAGS])
