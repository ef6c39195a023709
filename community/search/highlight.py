"""Titles and snippets with the searched words in <mark>, escaped, without a database.

Both backends stem ("passwords" finds "password"), so a word here matches
any word that starts with its crude stem and runs on for a few letters:
"reset" marks "resets" and "resetting". It is only emphasis: a word marked
that the database did not match, or the reverse, costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

SNIPPET_LENGTH = 240
_LEAD = 60  # characters of context kept before the first marked word
_MAX_MATCHES = 50  # matches weighed when choosing the window
_SUFFIXES = ("ing", "es", "ed", "s")
_ELLIPSIS = "\u2026"


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching the words (and their inflections) as whole words; None when there are none."""
    stems = sorted({_stem(word.lower()) for word in words if word}, key=len, reverse=True)
    if not stems:
        return None
    # A group per word, so a match tells which word it is (match.lastindex) without stemming it again.
    alternatives = "|".join(f"({re.escape(stem)})" + r"\w{0,4}" for stem in stems)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def count_found(patterns: Iterable[re.Pattern[str]], text: str) -> int:
    """How many of the patterns (one per word, from word_pattern([word])) occur in `text`."""
    return sum(1 for pattern in patterns if pattern.search(text))


def _marked(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    # The standard library's escape (Django's wraps it for lazy strings, at several times the cost).
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    # Every piece of the member's text went through escape(); only <mark> is ours.
    return mark_safe("".join(parts))  # noqa: S308


def highlight_title(title: str, pattern: re.Pattern[str] | None) -> SafeString:
    return _marked(title, pattern)


def snippet(text: str, pattern: re.Pattern[str] | None, *, length: int = SNIPPET_LENGTH) -> SafeString:
    """About `length` characters of plain `text` around its best run of matches, marked and escaped.

    The window starts a little before the match that has the most distinct
    searched words after it; without any match it is the start of the text.
    """
    start = 0
    if pattern is not None:
        matches = []
        for match in pattern.finditer(text):
            matches.append((match.start(), match.lastindex))
            if len(matches) == _MAX_MATCHES:
                break
        # No window can hold more distinct words than the text does: stop at the first that holds them all.
        most = len({word for _position, word in matches})
        best = 0
        for i, (position, _word) in enumerate(matches):
            window = set()
            for later, word in matches[i:]:
                if later >= position + length - _LEAD:
                    break
                window.add(word)
            if len(window) > best:
                best, start = len(window), position
                if best == most:
                    break
        start = max(0, start - _LEAD)
    end = min(len(text), start + length)
    if start > 0:
        # Begin on a word boundary.
        space = text.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start + length // 2, end)
        end = space if space != -1 else end
    body = _marked(text[start:end].strip(), pattern)
    prefix = _ELLIPSIS if start > 0 else ""
    suffix = _ELLIPSIS if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - body is escaped above
