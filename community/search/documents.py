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


def build_documents(thread_ids: list[int]) -> list[Document]:
    """The documents of these threads (deleted ones too: queries filter on deleted_at). Four queries."""
    if not thread_ids:
        return []
    titles = dict(Thread.objects.filter(pk__in=thread_ids).values_list("pk", "title"))
    tags = thread_tag_names(titles)

    openings = dict(
        Post.objects.filter(thread_id__in=titles, kind=PostKind.OPENING)
        .annotate(html=Substr("body_html", 1, OPENING_MAX_CHARS * _HTML_FACTOR))
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
            html=Substr("body_html", 1, ANSWER_MAX_CHARS * _HTML_FACTOR),
        )
        .filter(place__lte=ANSWERS_INDEXED)
        .order_by("thread_id", "place")
        .values_list("thread_id", "html")
    )
    answer_texts: dict[int, list[str]] = defaultdict(list)
    budget: dict[int, int] = defaultdict(lambda: ANSWERS_MAX_CHARS)
    for thread_id, html in answers:
        if budget[thread_id] > 0:
            piece = _text(html, min(ANSWER_MAX_CHARS, budget[thread_id]))
            budget[thread_id] -= len(piece)
            answer_texts[thread_id].append(piece)

    return [
        Document(
            thread_id=thread_id,
            title=title,
            tags=" ".join(sorted(tags.get(thread_id, []))),
            body="\n".join([_text(openings.get(thread_id, ""), OPENING_MAX_CHARS), *answer_texts.get(thread_id, [])]),
        )
        for thread_id, title in sorted(titles.items())
    ]


# --- Bulk indexing on PostgreSQL -------------------------------------------

# The documents of the threads whose ids are %(ids)s, built where the posts are,
# as rows of (id, title, tags, body): the same posts, order and caps as
# `build_documents`, with each post's sanitised HTML as its text (see
# PostgresBackend.write_from_html). `before` is how much of the answers'
# budget the answers ahead of one took. Tags sort by code point, as Python's
# sorted() does. Only constants are written into it.
DOCUMENTS_OF_HTML_SQL = f"""
WITH ids AS (SELECT DISTINCT unnest(%(ids)s::bigint[]) AS id),
answers AS (
    SELECT p.thread_id, p.body_html AS html, row_number() OVER reading AS place,
        COALESCE(sum(least(length(p.body_html), {ANSWER_MAX_CHARS}))
            OVER (reading ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM community_post p JOIN community_thread th ON th.id = p.thread_id
    WHERE p.thread_id = ANY(%(ids)s::bigint[]) AND p.kind = '{PostKind.ANSWER.value}' AND p.deleted_at IS NULL
    WINDOW reading AS (
        PARTITION BY p.thread_id
        ORDER BY (p.id = th.accepted_answer_id) IS TRUE DESC, p.score DESC, p.created_at, p.id
    )
),
bodies AS (
    SELECT thread_id,
        string_agg(left(html, least({ANSWER_MAX_CHARS}, {ANSWERS_MAX_CHARS} - before)::int), E'\\n' ORDER BY place)
            AS text
    FROM answers WHERE place <= {ANSWERS_INDEXED} AND before < {ANSWERS_MAX_CHARS}
    GROUP BY thread_id
),
tags AS (
    SELECT ti.object_id AS thread_id, string_agg(tg.name, ' ' ORDER BY tg.name COLLATE "C") AS names
    FROM taggit_taggeditem ti JOIN taggit_tag tg ON tg.id = ti.tag_id
    WHERE ti.content_type_id = %(thread_type)s AND ti.object_id = ANY(%(ids)s::bigint[])
    GROUP BY ti.object_id
)
SELECT th.id, th.title, COALESCE(tags.names, '') AS tags,
    concat_ws(E'\\n', COALESCE(left(o.body_html, {OPENING_MAX_CHARS}), ''), bodies.text) AS body
FROM ids JOIN community_thread th ON th.id = ids.id
LEFT JOIN community_post o ON o.thread_id = th.id AND o.kind = '{PostKind.OPENING.value}'
LEFT JOIN bodies ON bodies.thread_id = th.id
LEFT JOIN tags ON tags.thread_id = th.id
"""  # noqa: S608
