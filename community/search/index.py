"""Keeping the search index current.

Services call `search_index_thread` in the transaction that changes what a
thread's document holds (asking, answering, editing), so a search run after
the commit finds the new words and no longer finds the old ones. A rolled-back
write rolls the index back with it. Accepting an answer and votes that reorder
a thread's answers change which answers its document holds, not any words
typed: they enqueue a task after commit (community/services/votes.py). Bulk
writers (importers) call `search_index_threads_bulk` with the ids they wrote,
or run `rebuild_search_index`, which also applies a change of
RAPPORT_SEARCH_LANGUAGE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from community.db.bulk import commit_without_waiting, map_on_own_connections
from community.models import Thread
from community.search.backends import get_backend
from community.search.documents import build_documents

CHUNK = 500  # threads per transaction when rebuilding
BULK_CHUNK = 200  # threads per transaction of a parallel bulk write: small enough to share out evenly


def search_index_thread(thread_id: int) -> None:
    """Rewrite one thread's search document from its current title, tags and posts."""
    get_backend().write(build_documents([thread_id]))


def search_index_threads(thread_ids: Iterable[int]) -> int:
    """Rewrite the documents of these threads, in chunks (each a transaction); returns how many were written."""
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
    backend.prepare_rebuild()
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


def search_index_threads_bulk(thread_ids: Iterable[int], *, workers: int = 1) -> int:
    """search_index_threads for bulk writers (importers); returns how many documents were written.

    On PostgreSQL each chunk of threads is one statement that builds and
    writes their documents from the posts' HTML (PostgresBackend.write_from_html),
    and `workers` connections share the chunks: parsing text is nearly all of
    the time, and each chunk is a transaction of its own over threads no other
    chunk touches. Inside a transaction (a test, a caller's atomic block) the
    chunks run on this connection. Elsewhere than on PostgreSQL it is
    search_index_threads.
    """
    if connection.vendor != "postgresql":
        return search_index_threads(thread_ids)
    backend = get_backend()
    ids = sorted(set(thread_ids))
    chunks = [ids[start : start + BULK_CHUNK] for start in range(0, len(ids), BULK_CHUNK)]

    def index(chunk: list[int]) -> int:
        with transaction.atomic():
            # Each chunk's commit was a disk wait with a core idle; a crash loses documents of the last
            # chunks at most, which the next run (or rebuild) writes again, as it writes them all.
            commit_without_waiting()
            return backend.write_from_html(chunk)

    if workers <= 1 or connection.in_atomic_block or len(chunks) <= 1:
        return sum(map(index, chunks))
    return sum(map_on_own_connections(index, chunks, workers=workers, name="search-index"))
