"""The text of a thread that search indexes: title, tags, and the body of its opening post and best answers.

A thread with hundreds of answers must not make a document hundreds of times
larger than the question it answers: ranking would favour long threads, and
PostgreSQL refuses a tsvector over 1 MB. So a document holds the opening post
(up to 10,000 characters of text) and the first ten answers in the order a
reader sees them (accepted first, then by score, then oldest), up to 2,000
characters each and 12,000 in all. Comments are not indexed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber, Substr

from community.models import Post, PostKind, Thread
from community.rendering import html_to_text
from community.selectors.tags import thread_tag_names

OPENING_MAX_CHARS = 10_000
ANSWERS_INDEXED = 10
ANSWER_MAX_CHARS = 2_000
ANSWERS_MAX_CHARS = 12_000
# HTML read per post: markup is seldom more than twice the text it wraps.
_HTML_FACTOR = 3


@dataclass(frozen=True, slots=True)
class Document:
    thread_id: int
    title: str
    tags: str
    body: str


def _text(html: str, limit: int) -> str:
    return html_to_text(html)[:limit]


def _build(thread_ids: list[int], *, html_chars: int, text: Callable[[str, int], str]) -> list[Document]:
    """Documents whose body is `text(html, limit)` of each post, reading `html_chars` × the limit of HTML."""
    if not thread_ids:
        return []
    titles = dict(Thread.objects.filter(pk__in=thread_ids).values_list("pk", "title"))
    tags = thread_tag_names(titles)

    openings = dict(
        Post.objects.filter(thread_id__in=titles, kind=PostKind.OPENING)
        .annotate(html=Substr("body_html", 1, OPENING_MAX_CHARS * html_chars))
        .values_list("thread_id", "html")
    )
    reading_order = [
        Case(When(pk=F("thread__accepted_answer_id"), then=Value(0)), default=Value(1), output_field=IntegerField()),
        F("score").desc(),
        F("created_at").asc(),
        F("pk").asc(),
    ]
    answers = (
        Post.objects.filter(thread_id__in=titles, kind=PostKind.ANSWER, deleted_at__isnull=True)
        .annotate(
            place=Window(RowNumber(), partition_by=F("thread_id"), order_by=reading_order),
            html=Substr("body_html", 1, ANSWER_MAX_CHARS * html_chars),
        )
        .filter(place__lte=ANSWERS_INDEXED)
        .order_by("thread_id", "place")
        .values_list("thread_id", "html")
    )
    answer_texts: dict[int, list[str]] = defaultdict(list)
    budget: dict[int, int] = defaultdict(lambda: ANSWERS_MAX_CHARS)
    for thread_id, html in answers:
        if budget[thread_id] > 0:
            piece = text(html, min(ANSWER_MAX_CHARS, budget[thread_id]))
            budget[thread_id] -= len(piece)
            answer_texts[thread_id].append(piece)

    return [
        Document(
            thread_id=thread_id,
            title=title,
            tags=" ".join(sorted(tags.get(thread_id, []))),
            body="\n".join([text(openings.get(thread_id, ""), OPENING_MAX_CHARS), *answer_texts.get(thread_id, [])]),
        )
        for thread_id, title in sorted(titles.items())
    ]


def build_documents(thread_ids: list[int]) -> list[Document]:
    """The documents of these threads (deleted ones too: queries filter on deleted_at). Four queries."""
    return _build(thread_ids, html_chars=_HTML_FACTOR, text=_text)


# --- Bulk indexing on PostgreSQL -------------------------------------------


def build_documents_of_html(thread_ids: list[int]) -> list[Document]:
    """build_documents with the posts' sanitised HTML as the body, for bulk indexing on PostgreSQL. Four queries.

    PostgreSQL's text search parser recognises tags and entities and leaves
    them out of a tsvector, so it can read the HTML itself, and importers
    skip html_to_text, which was most of their indexing time. The lexemes
    differ from build_documents' only where markup sits inside a word
    ("foo<b>bar</b>" gives two words) and for images' alt text (not kept).
    The caps count the markup too, so a long post may have somewhat less of
    its text indexed. Not for SQLite: FTS5 would index the markup.
    """
    return _build(thread_ids, html_chars=1, text=lambda html, limit: html[:limit])
