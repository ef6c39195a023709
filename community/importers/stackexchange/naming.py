"""Names derived from a dump: the space's name, members' usernames, tags."""

from __future__ import annotations

import re

from django.utils.text import slugify

from community.services.content import normalize_tag

USERNAME_BASE_LENGTH = 100  # leaves room for "-<id>-<n>" within the 150 allowed
_SITE_SUFFIXES = (".stackexchange.com", ".com", ".net", ".org")
_SITE_WORDS = re.compile(r"[.\-_]+")
# Stack Exchange tags may hold characters our tags do not ("c++", "c#",
# "node.js"); spell them out rather than let "c++" and "c#" both become "c".
_TAG_SYMBOLS = (("++", "plusplus"), ("+", "plus"), ("#", "sharp"), (".", "-"))


def site_display_name(site: str) -> str:
    """'bicycles.meta.stackexchange.com' -> 'Bicycles Meta'."""
    name = site
    for suffix in _SITE_SUFFIXES:
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    words = [word.capitalize() for word in _SITE_WORDS.split(name) if word]
    return (" ".join(words) or site)[:80]


def tag_name(raw: str) -> str:
    """A Stack Exchange tag as one of ours: lower case, hyphens, symbols spelt out (".net" -> "dotnet")."""
    if raw.startswith("."):
        raw = "dot" + raw[1:]
    for symbol, spelt in _TAG_SYMBOLS:
        raw = raw.replace(symbol, spelt)
    return normalize_tag(raw)


def parse_tags(value: str) -> list[str]:
    """Both spellings of a question's tags: '<plutus><wallet>' (older dumps) and '|plutus|wallet|'."""
    raw = re.findall(r"<([^<>]+)>", value) if value.startswith("<") else value.split("|")
    names: list[str] = []
    for item in raw:
        name = tag_name(item)
        if name and name not in names:
            names.append(name)
    return names


def username_base(display_name: str) -> str:
    """The slug a member's username starts from; de-duplication adds a suffix."""
    return slugify(display_name)[:USERNAME_BASE_LENGTH].strip("-") or "member"
