"""Rebuild the denormalised thread and post counters from the rows they count.

The services keep counters with F() updates in the same transaction as the
row they count; this is the repair path (manage.py recompute_counters) and
what bulk writers such as the Stack Exchange importer call after a batch.

Every counter is one correlated subquery in one UPDATE per chunk of threads,
so the database does the counting and nothing is loaded into Python.

What is counted:
- post.comment_count: the post's comments that are not deleted;
- post.score: the sum of its votes, for posts written here only. An imported
  post's score came with it from its source and is left alone: a dump may
  hold only some of its votes (see community/importers/stackexchange);
- thread.answer_count: answers (replies) that are not deleted;
- thread.comment_count: comments that are not deleted, on posts of the
  thread that are not deleted;
- thread.score: the opening post's score;
- thread.me_too_count: its me-too rows;
- thread.duplicate_count: threads, not deleted, closed as its duplicate.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
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


def _update_changed(queryset: models.QuerySet, *, thread: str, **values) -> set[int]:
    """UPDATE only the rows where some counter differs, so a healthy table is read, not rewritten.

    Returns the threads (`thread`: the field holding a row's thread id) of the rows it changed.
    """
    names = {field: f"new_{field}" for field in values}
    annotated = queryset.annotate(**{names[field]: value for field, value in values.items()})
    unchanged = Q()
    for field, name in names.items():
        unchanged &= Q(**{field: F(name)})
    changed = list(annotated.exclude(unchanged).values_list("pk", thread))
    pks = [pk for pk, _ in changed]
    for start in range(0, len(pks), CHUNK):
        annotated.filter(pk__in=pks[start : start + CHUNK]).update(**{field: F(name) for field, name in names.items()})
    return {thread_id for _, thread_id in changed}


def _recompute(**window) -> tuple[int, set[int]]:
    """Recompute the threads selected by `window` (pk lookups: pk__in, or pk__gte and pk__lt); call in a transaction.

    The posts are selected by the same lookups on thread_id rather than by a
    subquery over threads, so the planner walks the thread_id index even when
    a bulk load has left its statistics stale.
    """
    threads = Thread.objects.filter(**window)
    posts = Post.objects.filter(
        **{f"thread_id__{lookup.removeprefix('pk__')}": value for lookup, value in window.items()}
    )
    votes = Vote.objects.filter(post=OuterRef("pk")).order_by().values("post").annotate(total=Sum("value"))
    touched = _update_changed(
        posts.filter(source=""), thread="thread_id", score=Coalesce(Subquery(votes.values("total")[:1]), 0)
    )
    touched |= _update_changed(
        posts,
        thread="thread_id",
        comment_count=_count(Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True), "post"),
    )
    # The thread's comments are its live posts' comment counts, just rebuilt:
    # summing them walks the post index instead of joining every comment.
    live_posts = Post.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True).order_by().values("thread")
    opening_score = Post.objects.filter(thread=OuterRef("pk"), kind=PostKind.OPENING).values("score")[:1]
    changed_threads = _update_changed(
        threads,
        thread="pk",
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
    return len(changed_threads), touched | changed_threads


def thread_counters_recompute(*, thread_ids: Iterable[int] | None = None) -> int:
    """Recompute the counters of the given threads (all threads when None); returns how many had to change.

    `thread_ids` is any iterable of ids, a `values_list(..., flat=True)`
    queryset included. Each chunk of threads is its own transaction, or part
    of the caller's when there is one. Idempotent: a second run changes nothing
    and returns 0.
    """
    updated = 0
    touched: set[int] = set()

    def recompute(**window) -> None:
        nonlocal updated
        with transaction.atomic():
            count, threads = _recompute(**window)
        updated += count
        touched.update(threads)

    if thread_ids is None:
        # Walk the whole table in primary-key windows: short transactions, no id list in memory.
        last = Thread.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for low in range(0, last + 1, WINDOW):
            recompute(pk__gte=low, pk__lt=low + WINDOW)
    else:
        ids = sorted(set(thread_ids))
        for start in range(0, len(ids), CHUNK):
            recompute(pk__in=ids[start : start + CHUNK])
    if touched:
        # The threads whose counters, or whose posts' counters, were repaired: their cached pages and
        # rows show counters, and so do the lists.
        caching.content_changed(*touched)
    return updated
