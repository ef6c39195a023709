"""The search results page's read.

A page of results costs three queries whatever its size: the ranked ids with
the (bounded) number of matches, the threads with their space and the start
of their opening post, and their tags. Titles and snippets are marked here,
once, and URLs and labels worked out, so the template only prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from community.models import Post, PostKind, Thread
from community.rendering import html_to_text
from community.search.backends import Order, get_backend
from community.search.highlight import highlight_title, snippet, word_pattern
from community.search.matching import SearchFilters, filters_where
from community.search.query import ParsedQuery, parse_query
from community.selectors.links import Links
from community.selectors.lists import KIND_LABELS, TagLink
from community.selectors.tags import thread_tag_names

PAGE_SIZE = 20
# Matches ranked per query, and so the most results a query can page through.
MAX_RESULTS = 1000
MAX_PAGE = MAX_RESULTS // PAGE_SIZE
# Characters of the opening post's HTML read for its snippet: enough for a
# long question's text, and a bound on the work a page of results does.
SNIPPET_HTML_CHARS = 4000


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
    answer_count: int
    is_solved: bool
    created_iso: str
    created_label: str  # the day, in the reader's language


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0  # MAX_RESULTS + 1 means "more than MAX_RESULTS"
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

    ranked = get_backend().page(
        parsed,
        filters_where(user, filters or SearchFilters()),
        order=order,
        cap=MAX_RESULTS + 1,
        limit=limit,
        offset=(page - 1) * limit,
    )
    if not ranked:
        return SearchResults(query=parsed, page=page, page_size=limit)
    ids = [thread_id for thread_id, _total in ranked]
    opening_html = Post.objects.filter(thread=OuterRef("pk"), kind=PostKind.OPENING).annotate(
        start=Substr("body_html", 1, SNIPPET_HTML_CHARS)
    )
    threads = (
        Thread.objects.filter(pk__in=ids)
        .select_related("space")
        .only(
            "id",
            "title",
            "slug",
            "kind",
            "score",
            "answer_count",
            "accepted_answer_id",
            "created_at",
            "space__name",
            "space__slug",
        )
        .annotate(opening_html=Subquery(opening_html.values("start")[:1]))
        .in_bulk()
    )
    tags = thread_tag_names(ids)

    pattern = word_pattern(parsed.words())
    links = Links()
    hits = [
        SearchHit(
            id=thread.pk,
            url=links.thread(thread.pk, thread.slug),
            title_html=highlight_title(thread.title, pattern),
            snippet_html=snippet(html_to_text(thread.opening_html or ""), pattern),
            kind=thread.kind,
            kind_label=KIND_LABELS.get(thread.kind, thread.kind),
            space_name=thread.space.name,
            space_url=links.space(thread.space.slug),
            tags=[TagLink(name, links.tag(name)) for name in sorted(tags[thread.pk])],
            score=thread.score,
            answer_count=thread.answer_count,
            is_solved=thread.accepted_answer_id is not None,
            created_iso=thread.created_at.isoformat(),
            created_label=date_format(timezone.localtime(thread.created_at)),
        )
        for thread in (threads.get(thread_id) for thread_id in ids)
        if thread is not None
    ]
    return SearchResults(query=parsed, hits=hits, total=ranked[0][1], page=page, page_size=limit)
