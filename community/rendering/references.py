"""@mentions and #tags: the markdown-it core rule that links and records them.

Per-call data (the URL resolvers and what was found) travels in the ``env``
dict markdown-it hands to every rule, never on the shared parser, so rendering
stays thread-safe. ``new_env`` builds that dict.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

UrlResolver = Callable[[str], str | None]

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

MENTIONS = "rapport_mentions"
HASHTAGS = "rapport_hashtags"
_RESOLVERS = "rapport_resolvers"
_RESOLVED = "rapport_resolved"


def new_env(mention_url: UrlResolver | None, tag_url: UrlResolver | None) -> dict:
    return {
        _RESOLVERS: {"mention": mention_url, "hashtag": tag_url},
        _RESOLVED: {},
        # dicts as insertion-ordered sets: unique, in order of first appearance.
        MENTIONS: {},
        HASHTAGS: {},
    }


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
            env[HASHTAGS].setdefault(key, None)
        else:
            key = name
            env[MENTIONS].setdefault(key, None)

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


def link_references(state: StateCore) -> None:
    """Turn @username and #tag in plain text into links, and record them in env.

    Runs after linkify and before text_join, so URLs (autolinked or written as
    links) are already link tokens and skipped, code spans and blocks are not
    text tokens at all, and a backslash-escaped "\\@" or "\\#" is still its own
    text_special token, which lets a writer opt out of a mention.
    """
    env = state.env
    if MENTIONS not in env:
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
