"""Thread lists' view models: rows with their URLs and labels worked out, similar titles, the tag directory.

The reads (and who may see what) are in community/selectors/lists.py; this
turns them into plain dataclasses, so the templates only print.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from community.models import IdeaStatus, Thread, ThreadKind
from community.selectors import display
from community.selectors import lists as selectors
from community.selectors.links import Links
from community.selectors.lists import TagSort
from community.selectors.pagination import Page
from community.selectors.tags import thread_tag_names

KIND_LABELS = dict(ThreadKind.choices)
IDEA_STATUS_LABELS = dict(IdeaStatus.choices)

TAGS_PER_PAGE = 60


@dataclass(frozen=True, slots=True)
class TagLink:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class ThreadRow:
    id: int
    title: str
    url: str
    kind: str
    kind_label: str
    space_name: str
    space_url: str
    tags: list[TagLink]
    author_name: str
    author_url: str | None
    answer_count: int
    answers_label: str
    score: int
    votes_label: str
    view_count: int
    views_label: str
    is_solved: bool
    is_closed: bool
    is_duplicate: bool
    idea_status: str
    idea_status_label: str
    activity_at: datetime
    activity_iso: str
    activity_label: str
    created_at: datetime


def author_display(user, links: Links) -> tuple[str, str | None]:
    """(name to show, profile URL) for a post's or thread's author; they may have been erased."""
    if user is None:
        return "", None
    return user.public_name, links.member(user.username)


def author_display_values(username: str | None, display_name: str | None, links: Links) -> tuple[str, str | None]:
    """author_display for an author read as two columns rather than loaded (no username: erased)."""
    if username is None:
        return "", None
    return display_name or username, links.member(username)


def _row(thread: Thread, tag_names: list[str], links: Links, now: datetime) -> ThreadRow:
    author_name, author_url = author_display(thread.author, links)
    is_question = thread.kind == ThreadKind.QUESTION
    return ThreadRow(
        id=thread.pk,
        title=thread.title,
        url=links.thread(thread.pk, thread.slug),
        kind=thread.kind,
        kind_label=KIND_LABELS.get(thread.kind, thread.kind),
        space_name=thread.space.name,
        space_url=links.space(thread.space.slug),
        tags=[TagLink(name, links.tag(name)) for name in sorted(tag_names)],
        author_name=author_name,
        author_url=author_url,
        answer_count=thread.answer_count,
        answers_label=display.answers_label(thread.answer_count, question=is_question),
        score=thread.score,
        votes_label=display.votes_label(thread.score),
        view_count=thread.view_count,
        views_label=display.views_label(thread.view_count),
        is_solved=thread.accepted_answer_id is not None,
        is_closed=thread.closed_at is not None,
        is_duplicate=thread.duplicate_of_id is not None,
        idea_status=thread.idea_status,
        idea_status_label=IDEA_STATUS_LABELS.get(thread.idea_status, ""),
        activity_at=thread.last_activity_at,
        activity_iso=thread.last_activity_at.isoformat(),
        activity_label=display.time_ago(thread.last_activity_at, now),
        created_at=thread.created_at,
    )


def thread_rows(threads: list[Thread]) -> list[ThreadRow]:
    """ThreadRows for threads loaded with their space and author's profile; tags in one query."""
    links = Links()
    now = timezone.now()
    tags = thread_tag_names(thread.pk for thread in threads) if threads else {}
    return [_row(thread, tags.get(thread.pk, []), links, now) for thread in threads]


def thread_list(*, user, **filters) -> Page:
    """One page of threads the user may see, as ThreadRows, with its cursors.

    `filters` are selectors.thread_list_for_user's: sort, period, space, tag,
    kind, idea_status, after, before and limit.
    """
    page = selectors.thread_list_for_user(user=user, **filters)
    return Page(items=thread_rows(page.items), next_cursor=page.next_cursor, previous_cursor=page.previous_cursor)


@dataclass(frozen=True, slots=True)
class SimilarThread:
    id: int
    title: str
    url: str
    kind_label: str
    answer_count: int
    answers_label: str  # "3 answers"
    is_solved: bool


def similar_thread(thread: Thread, links: Links) -> SimilarThread:
    return SimilarThread(
        id=thread.pk,
        title=thread.title,
        url=links.thread(thread.pk, thread.slug),
        kind_label=KIND_LABELS.get(thread.kind, thread.kind),
        answer_count=thread.answer_count,
        answers_label=display.answer_count_label(thread.answer_count),
        is_solved=thread.accepted_answer_id is not None,
    )


def similar_threads(*, user, title: str, limit: int = 5) -> list[SimilarThread]:
    """Up to `limit` visible threads whose titles are most like `title` (selectors.similar_threads_for_user)."""
    links = Links()
    return [similar_thread(t, links) for t in selectors.similar_threads_for_user(user=user, title=title, limit=limit)]


@dataclass(frozen=True, slots=True)
class TagEntry:
    name: str
    url: str
    threads_label: str  # "12 threads"
    description: str


@dataclass(frozen=True, slots=True)
class TagDirectory:
    tags: list[TagEntry]
    total: int  # tags matching the filter, on every page
    page: int
    pages: int


def tag_directory(*, user, query: str = "", sort: str = TagSort.POPULAR, page: int = 1) -> TagDirectory:
    """The tags on threads the user may see, with how many, filtered by a part of their name; one page of them.

    At most two queries, the visible spaces and the counts (none while cached);
    counts may lag by selectors.TAG_DIRECTORY_SECONDS.
    """
    rows = selectors.tag_counts(user=user)
    needle = query.strip().lower()
    if needle:
        rows = [row for row in rows if needle in row[0]]
    if sort == TagSort.NAME:
        rows = sorted(rows, key=lambda row: row[0])
    pages = max(1, -(-len(rows) // TAGS_PER_PAGE))
    page = min(max(1, page), pages)
    links = Links()
    return TagDirectory(
        tags=[
            TagEntry(name=name, url=links.tag(name), threads_label=display.threads_label(n), description=description)
            for name, n, description in rows[(page - 1) * TAGS_PER_PAGE : page * TAGS_PER_PAGE]
        ],
        total=len(rows),
        page=page,
        pages=pages,
    )
