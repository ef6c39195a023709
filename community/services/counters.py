"""Rebuild the denormalised thread and post counters from the rows they count.

The services keep counters with F() updates in the same transaction as the
row they count; this is the repair path (manage.py recompute_counters) and
what bulk writers such as the Stack Exchange importer call after a batch.

Every counter is one correlated subquery in one UPDATE per chunk of threads,
so the database does the counting and nothing is loaded into Python.

What is counted:
- post.comment_count: the post's comments that are not deleted;
- post.score: the sum of its votes, for posts written here only. An imported
  post's score came with it from its source, whose individual votes are
  mostly not known (see community/importers/stackexchange), so it is left
  alone;
- thread.answer_count: answers (replies) that are not deleted;
- thread.comment_count: comments that are not deleted, on posts of the
  thread that are not deleted;
- thread.score: the opening post's score;
- thread.me_too_count: its me-too rows;
- thread.duplicate_count: threads, not deleted, closed as its duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from community import caching
from community.models import Comment, MeToo, Post, PostKind, Thread, Vote

CHUNK = 500  # threads per UPDATE when given ids: well under SQLite's bound-parameter limit
WINDOW = 5000  # primary-key range per UPDATE when recomputing everything


def _count(queryset: models.QuerySet, group_by: str) -> Coalesce:
    """COUNT(*) of a correlated queryset as an expression, 0 when it is empty."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def _update_changed(queryset: models.QuerySet, **values) -> int:
    """UPDATE only the rows where some counter differs, so a healthy table is read, not rewritten."""
    names = {field: f"new_{field}" for field in values}
    annotated = queryset.annotate(**{names[field]: value for field, value in values.items()})
    unchanged = Q()
    for field, name in names.items():
        unchanged &= Q(**{field: F(name)})
    return annotated.exclude(unchanged).update(**{field: F(name) for field, name in names.items()})


def _recompute(**window) -> int:
    """Recompute the threads selected by `window` (pk lookups: pk__in, or pk__gte and pk__lt); call in a transaction.

    The posts are selected by the same lookups on thread_id rather than by a
    subquery over threads, so the planner walks the thread_id index even when
    a bulk load has left its statistics stale.
    """
    if connection.vendor == "postgresql":
        # These UPDATEs are thousands of one-row index look-ups whose estimated
        # cost (worse on freshly bulk-loaded tables) crosses jit_above_cost; the
        # JIT compile then costs about a second per statement and never pays off.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    threads = Thread.objects.filter(**window)
    posts = Post.objects.filter(
        **{f"thread_id__{lookup.removeprefix('pk__')}": value for lookup, value in window.items()}
    )
    votes = Vote.objects.filter(post=OuterRef("pk")).order_by().values("post").annotate(total=Sum("value"))
    _update_changed(posts.filter(source=""), score=Coalesce(Subquery(votes.values("total")[:1]), 0))
    _update_changed(
        posts, comment_count=_count(Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True), "post")
    )
    # The thread's comments are its live posts' comment counts, just rebuilt:
    # summing them walks the post index instead of joining every comment.
    live_posts = Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True).order_by().values("thread")
    opening_score = Post.objects.filter(thread=OuterRef("pk"), kind=PostKind.OPENING).values("score")[:1]
    return _update_changed(
        threads,
        answer_count=_count(
            Post.objects.filter(thread=OuterRef("pk"), kind=PostKind.ANSWER, deleted_at__isnull=True), "thread"
        ),
        comment_count=Coalesce(Subquery(live_posts.annotate(total=Sum("comment_count")).values("total")[:1]), 0),
        score=Coalesce(Subquery(opening_score), 0),
        me_too_count=_count(MeToo.objects.filter(thread=OuterRef("pk")), "thread"),
        duplicate_count=_count(
            Thread.objects.filter(duplicate_of=OuterRef("pk"), deleted_at__isnull=True), "duplicate_of"
        ),
    )


def thread_counters_recompute(*, thread_ids: Iterable[int] | None = None) -> int:
    """Recompute the counters of the given threads (all threads when None); returns how many had to change.

    `thread_ids` is any iterable of ids, a `values_list(..., flat=True)`
    queryset included. Each chunk of threads is its own transaction, or part
    of the caller's when there is one. Idempotent: a second run changes nothing
    and returns 0.
    """
    updated = 0
    if thread_ids is None:
        # Walk the whole table in primary-key windows: short transactions, no id list in memory.
        last = Thread.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for low in range(0, last + 1, WINDOW):
            with transaction.atomic():
                updated += _recompute(pk__gte=low, pk__lt=low + WINDOW)
        _counters_changed(updated)
        return updated
    chunk: list[int] = []
    for thread_id in sorted(set(thread_ids)):
        chunk.append(thread_id)
        if len(chunk) == CHUNK:
            with transaction.atomic():
                updated += _recompute(pk__in=chunk)
            chunk = []
    if chunk:
        with transaction.atomic():
            updated += _recompute(pk__in=chunk)
    _counters_changed(updated)
    return updated


def _counters_changed(updated: int) -> None:
    # Counters are on every cached page; which threads changed is not worth tracking in a repair.
    if updated:
        caching.content_changed()
