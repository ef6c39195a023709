"""The SQL each database needs to store search documents and to match queries.

Ranking is always over a bounded candidate set. A query matching half the
corpus ("wallet" in a wallet community) must not score half the corpus: the
candidates are the first `cap` matches in an order an index gives cheaply,
and only those are ranked and counted.

- PostgreSQL: the candidates are the highest-scored matches. For a rare word
  the GIN index on search_document finds every match; for a common one the
  planner walks the (score, id) index instead and checks threads until it
  has enough. Only the candidates' documents reach ts_rank. A phrase's word
  order is checked in the first PHRASE_CANDIDATES threads holding its words.
- SQLite: FTS5 yields matches in descending rowid (thread id) order and
  stops after `cap`, so the candidates for relevance are the newest matches;
  only they reach bm25().

Both take the same filters, as SQL over the thread table aliased `t`.

Table names, the text search configuration and the orderings are constants
written into the SQL here; everything a member typed or picked travels as a
parameter. That is why the S608 warnings below are silenced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.db import connection

from community.models import ThreadKind
from community.search.documents import Document
from community.search.query import ParsedQuery

# PostgreSQL: "english" stems words and drops English stop words, like the
# FTS5 table's porter tokenizer. Used for documents and queries alike.
TSQUERY = "websearch_to_tsquery('english', %s)"
# ts_rank normalisation 1 divides by 1 + log(document length): a long thread
# does not win by length alone. Weights are the defaults: A 1.0, B 0.4, C 0.2.
TS_RANK = f"ts_rank(d.search_document, {TSQUERY}, 1)"
# The same query with its phrases loosened to "all these words": what the GIN index can answer alone.
WORDS_TSQUERY = f"regexp_replace({TSQUERY}::text, '<(-|[0-9]+)>', '&', 'g')::tsquery"
# Threads holding a phrase's words in which PostgreSQL checks the words' order.
PHRASE_CANDIDATES = 5000
# bm25() column weights for FTS5's title, tags and body, in the same spirit.
BM25 = "bm25(community_thread_fts, 10.0, 4.0, 1.0) AS rank"


class Order(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    SCORE = "score"


# How candidates are chosen (alias t) and how they are then ordered (alias c).
_CANDIDATE_KEYS = {
    Order.RELEVANCE: "t.score DESC, t.id DESC",
    Order.SCORE: "t.score DESC, t.id DESC",
    Order.NEWEST: "t.created_at DESC, t.id DESC",
}
_RESULT_KEYS = {
    Order.SCORE: "c.score DESC, c.id DESC",
    Order.NEWEST: "c.created_at DESC, c.id DESC",
}


@dataclass
class Where:
    """SQL conditions on the thread table (alias `t`) and their parameters, ANDed."""

    conditions: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)

    def add(self, condition: str, *params) -> None:
        self.conditions.append(condition)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(f"({condition})" for condition in self.conditions) or "1 = 1"


def visible_threads_where(
    *,
    visibilities: Sequence[str],
    kind: str | None = None,
    space_id: int | None = None,
    tag: str | None = None,
    solved: bool | None = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,
) -> Where:
    """Live threads in spaces of these visibilities, narrowed by the filters given."""
    where = Where()
    where.add("t.deleted_at IS NULL")
    placeholders = ", ".join(["%s"] * len(visibilities)) or "NULL"
    visible_spaces = f"SELECT s.id FROM community_space s WHERE s.visibility IN ({placeholders})"  # noqa: S608
    if connection.vendor == "postgresql":
        # As an array computed once up front, not a join: the planner then sees how common the
        # searched words are among the threads, and for a very common word walks the (score, id)
        # index and stops at the LIMIT instead of reading every match.
        where.add(f"t.space_id = ANY (ARRAY({visible_spaces}))", *visibilities)
    else:
        where.add(f"t.space_id IN ({visible_spaces})", *visibilities)
    if kind:
        where.add("t.kind = %s", kind)
    if space_id is not None:
        where.add("t.space_id = %s", space_id)
    if tag:
        where.add(
            "t.id IN (SELECT ti.object_id FROM taggit_taggeditem ti"
            " JOIN taggit_tag tg ON tg.id = ti.tag_id"
            " JOIN django_content_type ct ON ct.id = ti.content_type_id"
            " WHERE tg.name = %s AND ct.app_label = 'community' AND ct.model = 'thread')",
            tag,
        )
    if solved is True:
        where.add("t.accepted_answer_id IS NOT NULL")
    elif solved is False:
        # As the "unsolved" list: open questions nobody's answer solved yet.
        where.add("t.kind = %s AND t.accepted_answer_id IS NULL AND t.closed_at IS NULL", ThreadKind.QUESTION.value)
    adapt = connection.ops.adapt_datetimefield_value
    if created_from is not None:
        where.add("t.created_at >= %s", adapt(created_from))
    if created_until is not None:
        where.add("t.created_at < %s", adapt(created_until))
    return where


def _fetch(sql: str, params: list) -> list[tuple[int, int]]:
    """Rows of a query through Django's connection (so tests and the debug toolbar see it)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class PostgresBackend:
    def write(self, documents: list[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE community_thread SET search_document ="
                " setweight(to_tsvector('english', %s), 'A')"
                " || setweight(to_tsvector('english', %s), 'B')"
                " || setweight(to_tsvector('english', %s), 'C')"
                " WHERE id = %s",
                [(doc.title, doc.tags, doc.body, doc.thread_id) for doc in documents],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE community_thread SET search_document = NULL WHERE search_document IS NOT NULL")

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            # Fresh statistics on the lexemes let the planner tell a rare word from a common one.
            cursor.execute("ANALYZE community_thread")

    def candidates(self, query: ParsedQuery, where: Where, *, order: Order, cap: int) -> tuple[str, list]:
        """(sql, params) of the first `cap` matching threads in the candidate order: rows of (id, score, created_at).

        The document is not selected: carried through the sort it would be
        copied for every match. The ranking reads it again for the candidates only.
        """
        key = _CANDIDATE_KEYS[order]
        if not query.has_phrase:
            sql = (
                "SELECT t.id, t.score, t.created_at FROM community_thread t"  # noqa: S608
                f" WHERE t.search_document @@ {TSQUERY} AND {where.sql()} ORDER BY {key} LIMIT %s"
            )
            return sql, [query.to_websearch(), *where.params, cap]
        # The index knows which words a thread holds, not where: every thread holding all of a
        # phrase's words must be read to check their order. So the order is checked only in the
        # first PHRASE_CANDIDATES threads holding the words (all of them, unless the words are
        # common), one primary-key read each: a scalar subquery, which the planner does not
        # turn into a join that would check every thread holding the words.
        sql = (
            "SELECT w.id, w.score, w.created_at FROM ("  # noqa: S608
            f"SELECT t.id, t.score, t.created_at FROM community_thread t"
            f" WHERE t.search_document @@ {WORDS_TSQUERY} AND {where.sql()} ORDER BY {key} LIMIT %s"
            f") w WHERE (SELECT d.search_document @@ {TSQUERY} FROM community_thread d WHERE d.id = w.id)"
            f" ORDER BY {key.replace('t.', 'w.')} LIMIT %s"
        )
        return sql, [query.to_websearch(wanted_only=True), *where.params, PHRASE_CANDIDATES, query.to_websearch(), cap]

    def page(
        self, query: ParsedQuery, where: Where, *, order: Order, cap: int, limit: int, offset: int
    ) -> list[tuple[int, int]]:
        """(thread id, number of candidates) for one page of results."""
        inner, params = self.candidates(query, where, order=order, cap=cap)
        if order == Order.RELEVANCE:
            # count(*) OVER () counts the candidates before LIMIT: the bounded total, in the same query.
            sql = (
                f"SELECT c.id, count(*) OVER () FROM ({inner}) c"  # noqa: S608
                " JOIN community_thread d ON d.id = c.id"
                f" ORDER BY {TS_RANK} DESC, c.score DESC, c.id DESC LIMIT %s OFFSET %s"
            )
            params.append(query.to_websearch())
        else:
            sql = f"SELECT c.id, count(*) OVER () FROM ({inner}) c ORDER BY {_RESULT_KEYS[order]} LIMIT %s OFFSET %s"  # noqa: S608
        return _fetch(sql, [*params, limit, offset])


class SqliteBackend:
    # FTS5 hands matches over in rowid order and stops at the LIMIT; any other key sorts every match.
    _candidate_keys = {**_CANDIDATE_KEYS, Order.RELEVANCE: "community_thread_fts.rowid DESC"}

    def write(self, documents: list[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "DELETE FROM community_thread_fts WHERE rowid = %s", [(doc.thread_id,) for doc in documents]
            )
            cursor.executemany(
                "INSERT INTO community_thread_fts (rowid, title, tags, body) VALUES (%s, %s, %s, %s)",
                [(doc.thread_id, doc.title, doc.tags, doc.body) for doc in documents],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM community_thread_fts")

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            # Threads deleted outright (not soft-deleted) leave rows nothing points at.
            cursor.execute("DELETE FROM community_thread_fts WHERE rowid NOT IN (SELECT id FROM community_thread)")
            # Merge the index's segments, as a bulk load leaves many.
            cursor.execute("INSERT INTO community_thread_fts (community_thread_fts) VALUES ('optimize')")

    def candidates(
        self, query: ParsedQuery, where: Where, *, order: Order, cap: int, rank: bool = False
    ) -> tuple[str, list]:
        """(sql, params) of the first `cap` matching threads in the candidate order: rows of (id, score, created_at).

        With `rank`, a fourth column holds bm25(), lower being better. It
        costs nothing for the rows FTS5 skips: an auxiliary function runs for
        the rows the query returns only. (Computing it afterwards, by looking
        each candidate up again with MATCH and rowid =, would re-read the
        word's whole index for every candidate.) FTS5 checks phrases from its
        position lists, without reading documents, so they need no bound of their own.
        """
        columns = f"t.id, t.score, t.created_at{', ' + BM25 if rank else ''}"
        # CROSS JOIN makes SQLite read the matches first and look each thread up by its key. Left
        # to choose, it may start from a filter's index (accepted_answer_id IS NULL looks
        # selective on a unique index) and then run the MATCH once per thread: seconds, not ms.
        sql = (
            f"SELECT {columns} FROM community_thread_fts CROSS JOIN community_thread t"  # noqa: S608
            f" WHERE t.id = community_thread_fts.rowid AND community_thread_fts MATCH %s AND {where.sql()}"
            f" ORDER BY {self._candidate_keys[order]} LIMIT %s"
        )
        return sql, [query.to_fts5(), *where.params, cap]

    def page(
        self, query: ParsedQuery, where: Where, *, order: Order, cap: int, limit: int, offset: int
    ) -> list[tuple[int, int]]:
        """(thread id, number of candidates) for one page of results."""
        relevance = order == Order.RELEVANCE
        inner, params = self.candidates(query, where, order=order, cap=cap, rank=relevance)
        # SQLite refuses bm25() beside a window function, so the count is taken one level up.
        ordering = "c.rank, c.score DESC, c.id DESC" if relevance else _RESULT_KEYS[order]
        sql = f"SELECT c.id, count(*) OVER () FROM ({inner}) c ORDER BY {ordering} LIMIT %s OFFSET %s"  # noqa: S608
        return _fetch(sql, [*params, limit, offset])


def get_backend() -> PostgresBackend | SqliteBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise NotImplementedError(f"Search supports PostgreSQL and SQLite, not {connection.vendor}.")


def candidate_ids(query: ParsedQuery, where: Where, *, order: Order, cap: int) -> tuple[str, list]:
    """(sql, params) selecting only the ids of the first `cap` matches: a subquery for `pk__in`."""
    sql, params = get_backend().candidates(query, where, order=order, cap=cap)
    return f"SELECT c.id FROM ({sql}) c", params  # noqa: S608
