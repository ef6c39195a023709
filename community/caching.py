"""Versioned cache entries: what many requests read and few writes change.

A reader asks for its entry and the version it was built under in one cache
round trip; a write bumps the version, so every entry built before it is
ignored and ages out by itself. Nothing is ever deleted key by key.

Writers bump twice: at once, and again after commit. The second bump catches
a reader that rebuilt the entry from the old rows between the first bump and
the commit.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

PREFIX = "rapport:v1:"
# Entries expire anyway, so a forgotten version costs a rebuild, never stale data forever.
DEFAULT_TIMEOUT = 60 * 60


def _version_key(scope: str) -> str:
    return f"{PREFIX}version:{scope}"


def bump(scope: str) -> None:
    """Invalidate every entry built under `scope`, now and again once the transaction commits."""

    def _new_version() -> None:
        cache.set(_version_key(scope), uuid.uuid4().hex, None)

    _new_version()
    transaction.on_commit(_new_version)


@dataclass(frozen=True, slots=True)
class Lookup:
    """What `lookup` found: the value when `hit`, and the version a rebuilt value must be stored under."""

    hit: bool
    value: Any
    version: str
    entry_key: str

    def store(self, value: Any, timeout: int = DEFAULT_TIMEOUT) -> None:
        # Stored under the version read before building: a write since then has bumped it, so this is ignored.
        cache.set(self.entry_key, (self.version, value), timeout)


def digest(text: str) -> str:
    """A short, fixed-length stand-in for `text` in a cache key (any length, any characters)."""
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def lookup(scope: str, key: str) -> Lookup:
    """The entry `key` of `scope`, if stored under the current version; one cache round trip.

    `key` may be any text: it is digested here, so callers write it plainly.
    """
    version_key, entry_key = _version_key(scope), f"{PREFIX}{scope}:{digest(key)}"
    found = cache.get_many([version_key, entry_key])
    version = found.get(version_key)
    if version is None:
        version = uuid.uuid4().hex
        # add, not set: two first readers must agree on one version.
        if not cache.add(version_key, version, None):
            version = cache.get(version_key) or version
    entry = found.get(entry_key)
    if entry is not None and entry[0] == version:
        return Lookup(True, entry[1], version, entry_key)
    return Lookup(False, None, version, entry_key)


def cached(scope: str, key: str, build: Callable[[], T], timeout: int = DEFAULT_TIMEOUT) -> T:
    """The entry `key` under the current version of `scope`, building and storing it when missing or stale."""
    found = lookup(scope, key)
    if found.hit:
        return found.value
    value = build()
    found.store(value, timeout)
    return value


# What visitors' cached pages depend on: every list, and each thread's own page.
THREADS_SCOPE = "threads"


def thread_scope(thread_id: int) -> str:
    return f"thread:{thread_id}"


def content_changed(*thread_ids: int | None) -> None:
    """A write changed what these threads' pages, or any list, show."""
    bump(THREADS_SCOPE)
    for thread_id in {t for t in thread_ids if t}:
        bump(thread_scope(thread_id))
