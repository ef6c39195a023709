"""Thread view counts without a database write per page view.

A view is counted once per viewer per thread per hour, buffered in the cache,
and added to Thread.view_count by a periodic flush. With Redis the buffer is
one hash updated with HINCRBY and drained by RENAME, so concurrent web
processes never lose an increment. The embedded default (a file cache) keeps
a dict under a short lock: one machine, few processes, and a lost view is harmless.

The flush bumps no cache version. Every viewed thread changes each minute, so
bumping would empty the cache of every list and of the most read thread pages
just as often, for a number nobody reads to the view. A cached page shows a
view count up to its own lifetime old (lists a minute, thread pages and rows
ten: community/views/cache.py, community/selectors/threads.py); the next write
to the thread, or the entry's expiry, brings the new count.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from community.models import Thread

log = logging.getLogger(__name__)

DEDUPE_SECONDS = 60 * 60
BUFFER_KEY = "rapport:views:buffer"
_LOCK_KEY = "rapport:views:lock"
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


def _drain() -> dict[int, int]:
    client = _redis_client()
    if client is not None:
        claimed = f"{BUFFER_KEY}:{uuid.uuid4().hex}"
        try:
            client.rename(BUFFER_KEY, claimed)  # atomic: new views go to a fresh buffer
        except Exception:  # noqa: BLE001 - redis raises ResponseError when there is nothing to drain
            return {}
        raw = client.hgetall(claimed)
        client.delete(claimed)
        return {int(k): int(v) for k, v in raw.items()}
    with _locked():
        buffer = cache.get(BUFFER_KEY) or {}
        cache.delete(BUFFER_KEY)
    return {int(k): int(v) for k, v in buffer.items()}


def view_counts_flush() -> int:
    """Add the buffered views to the threads. Returns how many threads changed."""
    counts = _drain()
    by_amount: dict[int, list[int]] = defaultdict(list)
    for thread_id, amount in counts.items():
        by_amount[amount].append(thread_id)
    with transaction.atomic():
        # Most threads gain the same small number of views: one UPDATE per amount.
        for amount, ids in by_amount.items():
            Thread.objects.filter(pk__in=ids).update(view_count=F("view_count") + amount)
    return len(counts)
