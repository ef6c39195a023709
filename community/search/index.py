"""Keeping the search index current.

Services call `search_index_thread` in the transaction that changes what a
thread's document holds (asking, answering, editing), so a search run after
the commit finds the new words and no longer finds the old ones. A rolled-back
write rolls the index back with it. Bulk writers (importers) call
`search_index_threads` with the ids they wrote, or run `rebuild_search_index`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from community.models import Thread
from community.search.backends import get_backend
from community.search.documents import build_documents

CHUNK = 500  # threads per transaction when rebuilding


def search_index_thread(thread_id: int) -> None:
    """Rewrite one thread's search document from its current title, tags and posts."""
    get_backend().write(build_documents([thread_id]))


def search_index_threads(thread_ids: Iterable[int]) -> int:
    """Rewrite the documents of these threads, in chunks; returns how many were written."""
    backend = get_backend()
    written = 0
    ids = sorted(set(thread_ids))
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            documents = build_documents(ids[start : start + CHUNK])
            backend.write(documents)
        written += len(documents)
    return written


def search_index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrite every thread's document, walking the table in primary-key chunks; returns how many.

    Each chunk is its own transaction, so searches keep working while it runs
    and an interrupted rebuild can simply be run again. `progress(done, total)`
    is called after each chunk.
    """
    backend = get_backend()
    total = Thread.objects.count()
    done, last = 0, 0
    while True:
        ids = list(Thread.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        with transaction.atomic():
            backend.write(build_documents(ids))
        done, last = done + len(ids), ids[-1]
        if progress is not None:
            progress(done, total)
    backend.finish_rebuild()
    return done


def search_index_clear() -> None:
    """Empty the index (tests, and before a rebuild that must start from nothing)."""
    get_backend().clear()
