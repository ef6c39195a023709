"""Names derived from a dump: the space's name, members' usernames, tags."""

from __future__ import annotations

import re

from django.utils.text import slugify

from community.services.content import normalize_tag, tag_problem

USERNAME_BASE_LENGTH = 100  # leaves room for "-<id>-<n>" within the 150 allowed
_SITE_SUFFIXES = (".stackexchange.com", ".com", ".net", ".org")
_SITE_WORDS = re.compile(r"[.\-_]+")


def site_display_name(site: str) -> str:
    """'bicycles.meta.stackexchange.com' -> 'Bicycles Meta'."""
    name = site
    for suffix in _SITE_SUFFIXES:
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    words = [word.capitalize() for word in _SITE_WORDS.split(name) if word]
    return (" ".join(words) or site)[:80]


def tag_name(raw: str) -> str | None:
    """A Stack Exchange tag as one of ours, by the rules members' tags follow; None when they refuse it.

    Stack Exchange's own rules ("c++", "c#", ".net", "node.js", at most 35
    characters) fit in ours, so a refusal means an unusual dump; it is counted
    and logged, never re-spelt into some other tag.
    """
    name = normalize_tag(raw)
    return name if name and tag_problem(name) is None else None


def split_tags(value: str) -> tuple[list[str], list[str]]:
    """(our tags, refused raw names) of a question's tags, in both spellings: '<a><b>' (older) and '|a|b|'."""
    raw = re.findall(r"<([^<>]+)>", value) if value.startswith("<") else value.split("|")
    names: list[str] = []
    refused: list[str] = []
    for item in raw:
        if not item.strip():
            continue
        name = tag_name(item)
        if name is None:
            refused.append(item)
        elif name not in names:
            names.append(name)
    return names, refused


def parse_tags(value: str) -> list[str]:
    """The tags of a question that our rules accept (see split_tags)."""
    return split_tags(value)[0]


def username_base(display_name: str) -> str:
    """The slug a member's username starts from; de-duplication adds a suffix."""
    return slugify(display_name)[:USERNAME_BASE_LENGTH].strip("-") or "member"
