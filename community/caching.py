"""Versioned cache entries: what many requests read and few writes change.

A reader asks for its entry and the version it was built under in one cache
round trip; a write bumps the version, so every entry built before it is
ignored and ages out by itself. Nothing is ever deleted key by key.

Writers bump twice: at once, and again after commit. The second bump catches
a reader that rebuilt the entry from the old rows between the first bump and
the commit.

A cached page shows more than the thread or list it is keyed on: other
threads' titles (related, linked, duplicate-of), tag names, counts. So every
visitor page is also keyed on one visibility scope, and whatever hides,
deletes or restores content, moves a thread to another space, or changes who
may see a space calls `visibility_changed()`: nothing hidden outlives its
hiding on any cached page. The services in community/services/ (threads,
spaces) and the admin, which goes through them, call it; code that hides
content elsewhere (moderation) must call it too, with the ids of the threads
it changed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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
    # Versions that did not exist yet (lookup_many with create=False): (version key, the version to create).
    absent: tuple[tuple[str, str], ...] = ()

    def store(self, value: Any, timeout: int = DEFAULT_TIMEOUT) -> None:
        # Stored under the version read before building: a write since then has bumped it, so this is ignored.
        for version_key, version in self.absent:
            # Created only now, after building: if anything set it meanwhile (a writer's bump), what was
            # built may predate that write, so it is not stored.
            if not cache.add(version_key, version, None) and cache.get(version_key) != version:
                return
        cache.set(self.entry_key, (self.version, value), timeout)


def digest(text: str) -> str:
    """A short, fixed-length stand-in for `text` in a cache key (any length, any characters)."""
    return hashlib.sha256(text.encode()).hexdigest()[:40]


# One scope, or several: an entry under several scopes is stale when any of them is bumped.
Scopes = str | tuple[str, ...]


def _scopes(scope: Scopes) -> tuple[str, ...]:
    return (scope,) if isinstance(scope, str) else tuple(scope)


def _entry_key(scopes: tuple[str, ...], key: str) -> str:
    return f"{PREFIX}{'+'.join(scopes)}:{digest(key)}"


def lookup_many(wanted: Sequence[tuple[Scopes, str]], *, create: bool = True) -> list[Lookup]:
    """Each (scopes, key) entry, if stored under the current versions of its scopes; one cache round trip for all.

    `key` may be any text: it is digested here, so callers write it plainly.
    A scope without a version yet gets one at once, unless `create` is False:
    then it gets one only when an entry is stored (Lookup.store), so looking up
    something that turns out not to exist (an id from a URL) leaves nothing behind.
    """
    requests = [(_scopes(scope), key) for scope, key in wanted]
    version_keys = {scope: _version_key(scope) for scopes, _key in requests for scope in scopes}
    entry_keys = [_entry_key(scopes, key) for scopes, key in requests]
    found = cache.get_many([*version_keys.values(), *entry_keys])
    versions: dict[str, str] = {}
    absent: set[str] = set()
    for scope, version_key in version_keys.items():
        version = found.get(version_key)
        if version is None:
            version = uuid.uuid4().hex
            if not create:
                absent.add(scope)
            # add, not set: two first readers must agree on one version.
            elif not cache.add(version_key, version, None):
                version = cache.get(version_key) or version
        versions[scope] = version
    lookups = []
    for (scopes, _key), entry_key in zip(requests, entry_keys, strict=True):
        version = "+".join(versions[scope] for scope in scopes)
        pending = tuple((version_keys[scope], versions[scope]) for scope in scopes if scope in absent)
        entry = found.get(entry_key)
        if entry is not None and not pending and entry[0] == version:
            lookups.append(Lookup(True, entry[1], version, entry_key))
        else:
            lookups.append(Lookup(False, None, version, entry_key, pending))
    return lookups


# Lookups made ahead by `prefetched`, by entry key, for the block it wraps.
_prefetched: ContextVar[dict[str, Lookup] | None] = ContextVar("rapport_cache_prefetched", default=None)


@contextmanager
def prefetched(wanted: Sequence[tuple[Scopes, str]], *, create: bool = True) -> Iterator[None]:
    """Look these entries up now, in one round trip; `lookup` (and `cached`) within the block take them from here.

    A page that needs several entries names them up front instead of paying a
    round trip for each. Each is taken once; one asked for again, or one not
    named here, is looked up as usual. Using a Lookup made a little earlier is
    safe: what is built is stored under the version read before building.
    """
    token = _prefetched.set({found.entry_key: found for found in lookup_many(wanted, create=create)})
    try:
        yield
    finally:
        _prefetched.reset(token)


def lookup(scope: Scopes, key: str, *, create: bool = True) -> Lookup:
    """The entry `key` of `scope` (or of several scopes), if stored under the current version; one round trip."""
    ahead = _prefetched.get()
    if ahead:
        found = ahead.pop(_entry_key(_scopes(scope), key), None)
        if found is not None:
            return found
    return lookup_many([(scope, key)], create=create)[0]


def cached(scope: Scopes, key: str, build: Callable[[], T], timeout: int = DEFAULT_TIMEOUT) -> T:
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


def thread_row_scope(thread_id: int) -> str:
    """The thread's own row (title, counters, state): bumped with thread_scope, except by writes that leave
    the row alone (an answer's or a comment's new text), so the first view after them need not reload it."""
    return f"thread-row:{thread_id}"


# What every visitor page is keyed on besides its own scope (see the module's docstring).
VISIBILITY_SCOPE = "visibility"


def content_changed(*thread_ids: int | None, thread_row: bool = True) -> None:
    """A write changed what these threads' pages, or any list, show.

    `thread_row` False: the write changed none of the threads' own rows, only
    their posts or comments (an edit of an answer's or a comment's text).
    """
    bump(THREADS_SCOPE)
    for thread_id in {t for t in thread_ids if t}:
        bump(thread_scope(thread_id))
        if thread_row:
            bump(thread_row_scope(thread_id))


def visibility_changed(*thread_ids: int | None) -> None:
    """Something became hidden or visible again: every cached visitor page, and these threads' own entries, are stale.

    Call it from any write that hides, deletes or restores a thread, post or
    comment, moves a thread between spaces, or changes a space's visibility,
    inside its transaction (the version is bumped again after commit), passing
    the threads whose own pages changed.
    """
    bump(VISIBILITY_SCOPE)
    content_changed(*thread_ids)
