"""The tail every write of a post shares: search document, cached pages, following, the signal."""

from __future__ import annotations

from django.dispatch import Signal

from accounts.models import User
from community import caching
from community.models import Follow
from community.outbox import publish
from community.search.index import search_index_thread


def content_written(
    *,
    thread_id: int,
    signal: Signal,
    sender: type,
    payload: dict[str, object],
    follower: User | None = None,
    reindex: bool = True,
    thread_row: bool = True,
) -> None:
    """Finish a write of a thread's content, inside its transaction, after every row is written.

    The thread's search document is rebuilt from the rows as they now are
    (unless `reindex` is False: the write changed nothing searchable), cached
    pages showing the thread are bumped, `follower` follows the thread (askers
    and those who answer hear what comes next, as on Discourse; they can
    unfollow), and `signal` is sent with `payload` once the transaction commits.
    `thread_row` False: the write left the thread's own row as it was
    (caching.content_changed).
    """
    if reindex:
        search_index_thread(thread_id)
    caching.content_changed(thread_id, thread_row=thread_row)
    if follower is not None:
        # One statement whether or not they already follow it.
        Follow.objects.bulk_create([Follow(member=follower, thread_id=thread_id)], ignore_conflicts=True)
    publish(signal, sender=sender, **payload)
