"""The search results page's read.

A page of results costs two queries whatever its size: the ranked threads with
the (bounded) number of matches, their space and their stored plain-text
excerpt (Thread.excerpt, written with the opening post); then their tags.
Titles and snippets are marked here, once, and URLs and labels worked out;
community.search.render writes the markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from community import caching, permissions
from community.models import Space, ThreadKind
from community.pages.lists import KIND_LABELS, TagLink
from community.search.backends import Order, get_backend
from community.search.forms import SpaceChoice
from community.search.highlight import highlight_title, snippet, word_pattern
from community.search.matching import SearchFilters, filters_where
from community.search.query import ParsedQuery, parse_query
from community.selectors import display
from community.selectors.links import Links
from community.selectors.spaces import SPACES_SCOPE
from community.selectors.tags import thread_tag_names

PAGE_SIZE = 20
# Matches ranked per query, and so the most results a query can page through.
MAX_RESULTS = 1000
MAX_PAGE = MAX_RESULTS // PAGE_SIZE


# Labels that depend only on their arguments and the language (an argument for the cache's key),
# kept: date_format costs about 0.1 ms a call and ngettext a few tens of microseconds, twenty times a page.
@lru_cache(maxsize=4096)
def _day_label(day: dt.date, language: str | None) -> str:
    return date_format(day)


@lru_cache(maxsize=1024)
def _votes_label(score: int, language: str | None) -> str:
    return display.votes_label(score)


@lru_cache(maxsize=1024)
def _answers_label(count: int, question: bool, language: str | None) -> str:
    return display.answers_label(count, question=question)


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    url: str
    title_html: SafeString
    snippet_html: SafeString
    kind: str
    kind_label: str
    space_name: str
    space_url: str
    tags: list[TagLink]
    score: int
    votes_label: str
    answer_count: int
    answers_label: str
    is_solved: bool
    created_iso: str
    created_label: str  # the day, in the reader's language


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0  # MAX_RESULTS + 1 means "more than MAX_RESULTS"
    exact: bool = True  # False: more threads may match than were checked, so `total` is a floor
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def is_empty_query(self) -> bool:
        return self.query.is_empty

    @property
    def more_than_shown(self) -> bool:
        return self.total > MAX_RESULTS

    @property
    def shown_total(self) -> int:
        return min(self.total, MAX_RESULTS)

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.shown_total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search_space_choices(*, user) -> list[SpaceChoice]:
    """The spaces the user may see, for the search form's filter: cached until a space changes."""
    visibilities = permissions.visible_visibilities(user)

    def build() -> list[tuple[int, str, str]]:
        return list(Space.objects.filter(visibility__in=visibilities).values_list("pk", "slug", "name"))

    rows = caching.cached(SPACES_SCOPE, "search-choices:" + permissions.visibility_key(user), build)
    return [SpaceChoice(*row) for row in rows]


def search_threads(
    *,
    user,
    query: str | ParsedQuery,
    filters: SearchFilters | None = None,
    order: Order | str = Order.RELEVANCE,
    page: int = 1,
    limit: int | None = None,
) -> SearchResults:
    """One page of the threads the user may see that match `query`, best first (or newest, or top scored).

    Never raises on what a member typed: a query with no word to look for
    comes back empty with `is_empty_query` set. Pages past MAX_RESULTS are
    empty.
    """
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    try:
        order = Order(order)
    except ValueError:
        order = Order.RELEVANCE
    page, limit = max(1, page), limit or PAGE_SIZE
    if parsed.is_empty or (page - 1) * limit >= MAX_RESULTS:
        return SearchResults(query=parsed, page=page, page_size=limit)

    results = get_backend().page(
        parsed,
        filters_where(user, filters or SearchFilters()),
        order=order,
        cap=MAX_RESULTS + 1,
        limit=limit,
        offset=(page - 1) * limit,
    )
    if not results:
        return SearchResults(query=parsed, page=page, page_size=limit)
    tags = thread_tag_names([result.id for result in results])

    pattern = word_pattern(parsed.words())
    links = Links()
    language = get_language()
    hits = [
        SearchHit(
            id=result.id,
            url=links.thread(result.id, result.slug),
            title_html=highlight_title(result.title, pattern),
            snippet_html=snippet(result.excerpt, pattern),
            kind=result.kind,
            kind_label=KIND_LABELS.get(result.kind, result.kind),
            space_name=result.space_name,
            space_url=links.space(result.space_slug),
            tags=[TagLink(name, links.tag(name)) for name in sorted(tags[result.id])],
            score=result.score,
            votes_label=_votes_label(result.score, language),
            answer_count=result.answer_count,
            answers_label=_answers_label(result.answer_count, result.kind == ThreadKind.QUESTION, language),
            is_solved=result.accepted_answer_id is not None,
            created_iso=result.created_at.isoformat(),
            created_label=_day_label(timezone.localtime(result.created_at).date(), language),
        )
        for result in results
    ]
    return SearchResults(
        query=parsed, hits=hits, total=results[0].total, exact=results[0].exact, page=page, page_size=limit
    )
