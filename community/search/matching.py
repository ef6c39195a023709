"""Matching threads, shared by the search page and the ask page's similar questions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from community import caching, permissions
from community.models import Space, Thread, Visibility
from community.search.backends import Order, Where, candidate_ids, visible_threads_where
from community.search.query import ParsedQuery
from community.selectors.spaces import SPACES_SCOPE, visible_space_ids


@dataclass(frozen=True, slots=True)
class SearchFilters:
    kind: str | None = None
    space_id: int | None = None  # the caller checked the user may see it
    tag: str | None = None
    solved: bool | None = None  # True: solved; False: open questions without an accepted answer
    created_after: dt.date | None = None  # on or after this day
    created_before: dt.date | None = None  # on or before this day


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def searchable_space_ids(user) -> list[int] | None:
    """Ids of the spaces whose threads this user may find, or None when that is every space.

    Both come from the cache that space writes invalidate (community.receivers),
    so a search costs no query for them.
    """
    visibilities = permissions.visible_visibilities(user)
    if set(Visibility.values) <= set(visibilities):
        return None
    ids = visible_space_ids(user=user)
    every = caching.cached(SPACES_SCOPE, "count", lambda: Space.objects.count())
    return None if len(ids) >= every else ids


def filters_where(user, filters: SearchFilters) -> Where:
    """The SQL conditions for the threads this user may see, narrowed by `filters`."""
    return visible_threads_where(
        space_ids=searchable_space_ids(user),
        kind=filters.kind,
        space_id=filters.space_id,
        tag=filters.tag,
        solved=filters.solved,
        created_from=_start_of(filters.created_after) if filters.created_after else None,
        created_until=_start_of(filters.created_before + dt.timedelta(days=1)) if filters.created_before else None,
    )


def similar_thread_candidates(*, user, words: list[str], needed: int, limit: int) -> QuerySet[Thread]:
    """A queryset of up to `limit` visible threads holding at least `needed` of `words`, highest scored first.

    It is not evaluated here: the caller narrows its columns, and the
    matching runs as a subquery of that one query.
    """
    # The spaces by a subquery, not from the cache: the ask page's suggestions stay one query even when cold.
    where = visible_threads_where(visibilities=permissions.visible_visibilities(user))
    sql, params = candidate_ids(ParsedQuery.at_least(words, needed), where, order=Order.SCORE, cap=limit)
    # The SQL is the backend's, built from constants; every value in it is a parameter.
    return Thread.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611
