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

from collections.abc import Iterable, Iterator

from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from community.models import Comment, MeToo, Post, PostKind, Thread, Vote

CHUNK = 500  # threads per UPDATE: well under SQLite's bound-parameter limit


def _count(queryset: models.QuerySet, group_by: str) -> Coalesce:
    """COUNT(*) of a correlated queryset as an expression, 0 when it is empty."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted), 0)


def _recompute(threads: models.QuerySet) -> int:
    thread_ids = threads.values("pk")
    native_posts = Post.objects.filter(thread_id__in=thread_ids, source="")
    votes = Vote.objects.filter(post=OuterRef("pk")).order_by().values("post").annotate(total=Sum("value"))
    native_posts.update(score=Coalesce(Subquery(votes.values("total")[:1]), 0))
    Post.objects.filter(thread_id__in=thread_ids).update(
        comment_count=_count(Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True), "post")
    )
    opening_score = Post.objects.filter(thread=OuterRef("pk"), kind=PostKind.OPENING).values("score")[:1]
    return threads.update(
        answer_count=_count(
            Post.objects.filter(thread=OuterRef("pk"), kind=PostKind.ANSWER, deleted_at__isnull=True), "thread"
        ),
        comment_count=_count(
            Comment.objects.filter(post__thread=OuterRef("pk"), deleted_at__isnull=True, post__deleted_at__isnull=True),
            "post__thread",
        ),
        score=Coalesce(Subquery(opening_score), 0),
        me_too_count=_count(MeToo.objects.filter(thread=OuterRef("pk")), "thread"),
        duplicate_count=_count(
            Thread.objects.filter(duplicate_of=OuterRef("pk"), deleted_at__isnull=True), "duplicate_of"
        ),
    )


def _id_chunks(thread_ids: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for thread_id in thread_ids:
        chunk.append(thread_id)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def thread_counters_recompute(*, thread_ids: Iterable[int] | models.QuerySet | None = None) -> int:
    """Recompute the counters of the given threads (all threads when None); returns how many were updated.

    `thread_ids` may be a list of ids, or a queryset of ids (`.values("pk")`),
    which is used as a subquery as it is: keep it to a batch's worth. Each
    chunk is its own transaction, or part of the caller's when there is one.
    Idempotent: running it twice leaves the same numbers.
    """
    if isinstance(thread_ids, models.QuerySet):
        with transaction.atomic():
            return _recompute(Thread.objects.filter(pk__in=thread_ids))
    updated = 0
    if thread_ids is None:
        # Walk the whole table in primary-key windows: short transactions, no id list in memory.
        last = Thread.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for low in range(0, last + 1, CHUNK * 10):
            with transaction.atomic():
                updated += _recompute(Thread.objects.filter(pk__gte=low, pk__lt=low + CHUNK * 10))
        return updated
    for chunk in _id_chunks(thread_ids):
        with transaction.atomic():
            updated += _recompute(Thread.objects.filter(pk__in=chunk))
    return updated
