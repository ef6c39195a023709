"""Thread view counts without a database write per page view.

A view is counted once per viewer per thread per hour, buffered in the cache,
and added to Thread.view_count by a periodic flush. With Redis the buffer is
one hash updated with HINCRBY, so concurrent web processes never lose an
increment. The embedded default (a file cache) keeps a dict under a short
lock: one machine, few processes.

A flush moves the buffer aside to a fixed pending key (with Redis an atomic
RENAMENX, so new views start a fresh buffer), adds it to the threads in one
transaction, and deletes the pending key only after that transaction commits.
A flush whose write fails, or whose worker dies, leaves the batch pending; the
next flush writes that batch first and never moves the live buffer over it.
One flush runs at a time (a lock in the cache), so two workers never write the
same batch.

What is left: a crash between the commit and the delete writes that batch
again on the next flush, so those views count twice. Making it exactly once
would take a table of applied batches written in the same transaction; a few
views counted twice after a rare crash are harmless, so at least once is enough.

The flush bumps no cache version. Every viewed thread changes each minute, so
bumping would empty the cache of every list and of the most read thread pages
just as often, for a number nobody reads to the view. A cached page shows a
view count up to its own lifetime old (lists a minute, thread pages and rows
ten: community/views/cache.py, community/selectors/threads.py); the next write
to the thread, or the entry's expiry, brings the new count.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from collections import defaultdict

import redis
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from community.models import Thread

log = logging.getLogger(__name__)

DEDUPE_SECONDS = 60 * 60
BUFFER_KEY = "rapport:views:buffer"
# A batch being written to the database; it stays here until the transaction commits.
PENDING_KEY = "rapport:views:pending"
_LOCK_KEY = "rapport:views:lock"
_FLUSH_LOCK_KEY = "rapport:views:flush-lock"
# Longer than the flush task's hard time limit (60 s, community/tasks.py): the lock outlives
# a flush only when its worker died, and then the views wait in the cache until it expires.
FLUSH_LOCK_SECONDS = 120
_BOTS = ("bot", "spider", "crawl", "slurp", "preview")


def viewer_key(request: HttpRequest) -> str | None:
    """Who is looking, as an opaque key; None for crawlers and HEAD requests (monitors), which are not readers."""
    if request.method == "HEAD":
        return None
    agent = request.META.get("HTTP_USER_AGENT", "")
    if any(word in agent.lower() for word in _BOTS):
        return None
    if request.user.is_authenticated:
        return f"u{request.user.pk}"
    # No session is created for anonymous readers just to count them.
    address = request.META.get("REMOTE_ADDR", "")
    return "a" + hashlib.sha256(f"{address}|{agent}".encode()).hexdigest()[:20]


def _redis_client():
    backend = getattr(cache, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    return get_client(write=True) if get_client else None


def thread_view_record(*, thread_id: int, viewer: str | None) -> bool:
    """Count one view unless this viewer was already counted within the hour."""
    if viewer is None or not cache.add(f"rapport:viewed:{thread_id}:{viewer}", 1, DEDUPE_SECONDS):
        return False
    client = _redis_client()
    if client is not None:
        client.hincrby(BUFFER_KEY, str(thread_id), 1)
        return True
    with _locked():
        buffer = cache.get(BUFFER_KEY) or {}
        buffer[thread_id] = buffer.get(thread_id, 0) + 1
        cache.set(BUFFER_KEY, buffer, timeout=None)
    return True


class _locked:
    """A best-effort lock through cache.add, for caches without atomic hashes."""

    def __enter__(self):
        for _attempt in range(50):
            if cache.add(_LOCK_KEY, 1, 5):
                return self
            time.sleep(0.01)
        log.warning("view counter lock busy; proceeding without it")
        return self

    def __exit__(self, *exc):
        cache.delete(_LOCK_KEY)


def _flush_lock() -> str | None:
    """Take the flush lock; its token, or None when another flush holds it.

    Two flushes must not write the same pending batch. Beat sends one a minute,
    but after a worker outage several queued flushes can run at once.
    """
    token = uuid.uuid4().hex
    return token if cache.add(_FLUSH_LOCK_KEY, token, FLUSH_LOCK_SECONDS) else None


def _flush_unlock(token: str) -> None:
    # Only our own lock: one that expired under a stalled flush may belong to the next flush by now.
    if cache.get(_FLUSH_LOCK_KEY) == token:
        cache.delete(_FLUSH_LOCK_KEY)


def _pending_batch() -> dict[int, int]:
    """The batch to write: the one a failed or crashed flush left, else the buffer, moved aside first."""
    client = _redis_client()
    if client is not None:
        # Atomic: views recorded from now on go to a fresh buffer. NX: a pending batch is never replaced,
        # it is read below and the buffer waits for the next round. No buffer (ResponseError): no new views.
        with contextlib.suppress(redis.ResponseError):
            client.renamenx(BUFFER_KEY, PENDING_KEY)
        return {int(k): int(v) for k, v in client.hgetall(PENDING_KEY).items()}
    with _locked():
        pending = cache.get(PENDING_KEY)
        if pending is None:
            pending = cache.get(BUFFER_KEY) or {}
            if pending:
                # Written before the buffer is deleted: a crash between the two counts views twice, never loses them.
                cache.set(PENDING_KEY, pending, timeout=None)
                cache.delete(BUFFER_KEY)
    return {int(k): int(v) for k, v in pending.items()}


def _pending_done() -> None:
    client = _redis_client()
    if client is not None:
        client.delete(PENDING_KEY)
    else:
        cache.delete(PENDING_KEY)


def _write(counts: dict[int, int]) -> None:
    by_amount: dict[int, list[int]] = defaultdict(list)
    for thread_id, amount in counts.items():
        by_amount[amount].append(thread_id)
    # durable: the batch is deleted from the cache once this block returns, so it must be a real commit,
    # not a savepoint an outer transaction could still roll back.
    with transaction.atomic(durable=True):
        # Most threads gain the same small number of views: one UPDATE per amount.
        for amount, ids in by_amount.items():
            Thread.objects.filter(pk__in=ids).update(view_count=F("view_count") + amount)


def view_counts_flush() -> int:
    """Add the buffered views to the threads. Returns how many threads changed.

    Call it outside any transaction. A batch left pending by an earlier flush
    is written first, then the views recorded since. When the database write
    fails the exception propagates and the batch stays pending for the next
    flush. Returns 0 without writing when another flush is running.
    """
    token = _flush_lock()
    if token is None:
        log.info("another view count flush is running; this one leaves the buffer to it")
        return 0
    changed: set[int] = set()
    try:
        # At most two rounds: a batch an earlier flush left, then the buffer.
        for _round in range(2):
            counts = _pending_batch()
            if not counts:
                break
            _write(counts)
            _pending_done()
            changed.update(counts)
    finally:
        _flush_unlock(token)
    return len(changed)
