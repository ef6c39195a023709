"""The SQL each database needs to store search documents and to match queries.

Ranking and counting are always bounded. A query matching half the corpus
("wallet" in a wallet community) must not score or count half the corpus.

- PostgreSQL: a page walks the matches in an order an index gives (score, or
  creation for "newest") and stops at the page's end. Relevance ranks only
  the RANKED highest-scored matches with ts_rank; pages past them continue in
  score order. For one word the matches are counted apart, up to `cap`, in
  whatever order is cheapest: for a common word the planner reads the table
  from its start and stops at `cap`, for a rare one it reads the GIN index.
  For several words, or a phrase, the first `cap` matches are kept from the
  read that finds them and counted there. A phrase's word order is checked
  in the first PHRASE_CANDIDATES threads holding its words.
- SQLite: FTS5 yields matches in descending rowid (thread id) order and
  stops after `cap`, so the candidates for relevance are the newest matches;
  only they reach bm25().

Both take the same filters, as SQL over the thread table aliased `t`.

Table names, the text search configuration (a name from a fixed list, checked
at start-up) and the orderings are constants written into the SQL here;
everything a member typed or picked travels as a parameter. That is why the
S608 warnings below are silenced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from community.models import Thread, ThreadKind
from community.search.documents import DOCUMENTS_OF_HTML_SQL, Document
from community.search.query import ParsedQuery
from config.settings.env import TEXT_SEARCH_CONFIGS

# Relevance ranks this many matches, the highest scored; pages past them follow in score order.
RANKED = 200
# Threads holding a phrase's words in which PostgreSQL checks the words' order.
PHRASE_CANDIDATES = 1000
# bm25() column weights for FTS5's title, tags and body: title 10, tags 4, text 1.
BM25 = "bm25(community_thread_fts, 10.0, 4.0, 1.0) AS rank"
# FTS5 tokenizers: Porter's stemmer is for English only; other languages get no stemming.
FTS5_TOKENIZERS = {"english": "porter unicode61 remove_diacritics 2"}
FTS5_DEFAULT_TOKENIZER = "unicode61 remove_diacritics 2"


def search_language() -> str:
    """RAPPORT_SEARCH_LANGUAGE, a text search configuration PostgreSQL ships.

    It is written into the SQL as a literal (a bound parameter would make the
    query's tsquery a value the planner cannot fold), so it is checked again
    here against the fixed list, whatever set the setting.
    """
    language = settings.RAPPORT_SEARCH_LANGUAGE
    if language not in TEXT_SEARCH_CONFIGS:
        raise ImproperlyConfigured(f"RAPPORT_SEARCH_LANGUAGE {language!r} is not a configuration PostgreSQL ships.")
    return language


def fts5_tokenizer() -> str:
    return FTS5_TOKENIZERS.get(search_language(), FTS5_DEFAULT_TOKENIZER)


def _tsquery() -> str:
    """What was typed, as a tsquery in the configured language: stemmed, stop words dropped."""
    return f"websearch_to_tsquery('{search_language()}', %s)"


def _words_tsquery() -> str:
    """The same query with its phrases loosened to "all these words": what the GIN index can answer alone."""
    return f"regexp_replace({_tsquery()}::text, '<(-|[0-9]+)>', '&', 'g')::tsquery"


# ts_rank normalisation 1 divides by 1 + log(document length): a long thread
# does not win by length alone. Weights are the defaults: A 1.0, B 0.4, C 0.2.
def _ts_rank(document: str) -> str:
    return f"ts_rank({document}, {_tsquery()}, 1)"


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
    space_ids: Sequence[int] | None = None,
    visibilities: Sequence[str] | None = None,
    kind: str | None = None,
    space_id: int | None = None,
    tag: str | None = None,
    solved: bool | None = None,
    created_from: datetime | None = None,
    created_until: datetime | None = None,
) -> Where:
    """Live threads in the spaces given, narrowed by the filters given.

    The spaces are either `space_ids`, literal values (None with no
    `visibilities`: every space is visible), or the `visibilities`, read by a
    subquery. Literal ids serve the planner better: its statistics on
    space_id then say how many threads they hold, so a condition that keeps
    most threads does not drive an index scan, and with every space visible
    there is no condition at all.
    """
    where = Where()
    where.add("t.deleted_at IS NULL")
    _add_visible_spaces(where, space_ids=space_ids, visibilities=visibilities)
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


def _add_visible_spaces(where: Where, *, space_ids: Sequence[int] | None, visibilities: Sequence[str] | None) -> None:
    """Narrow `where` to the spaces visible_threads_where was given (see its docstring)."""
    if visibilities is not None:
        placeholders = ", ".join(["%s"] * len(visibilities)) or "NULL"
        visible_spaces = f"SELECT s.id FROM community_space s WHERE s.visibility IN ({placeholders})"  # noqa: S608
        if connection.vendor == "postgresql":
            # An array computed once up front rather than a join, which would hide how common the words are.
            where.add(f"t.space_id = ANY (ARRAY({visible_spaces}))", *visibilities)
        else:
            where.add(f"t.space_id IN ({visible_spaces})", *visibilities)
    elif space_ids is not None:
        if not space_ids:
            where.add("1 = 0")
        elif connection.vendor == "postgresql":
            where.add("t.space_id = ANY (%s)", list(space_ids))
        else:
            where.add(f"t.space_id IN ({', '.join(['%s'] * len(space_ids))})", *space_ids)


def _fetch(sql: str, params: list) -> list[tuple]:
    """Rows of a query through Django's connection (so tests and the debug toolbar see it)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True, slots=True)
class Result:
    """One thread of a page of results, with what a result shows of it: read in the query that pages."""

    id: int
    total: int  # matches, counted up to the cap
    exact: bool  # False: more may match than were checked (a phrase's window ran out), so total is a floor
    title: str
    slug: str
    kind: str
    score: int
    answer_count: int
    accepted_answer_id: int | None
    created_at: datetime
    excerpt: str
    space_name: str
    space_slug: str


# The columns of a Result after id, total and exact, from the thread (th) and its space (sp).
_RESULT_COLUMNS = (
    "th.title, th.slug, th.kind, th.score, th.answer_count, th.accepted_answer_id, th.created_at, th.excerpt,"
    " sp.name, sp.slug"
)


def _results(page_sql: str, params: list, order_by: str, *, with_sql: str = "", with_params=()) -> list[Result]:
    """Results for the rows of `page_sql`: (id, total, exact, the columns `order_by` sorts on as p.<name>), in order.

    The page's few rows are joined to their threads and spaces here, after the
    LIMIT, so the query that finds them stays as the planner chose it.
    `with_sql` is a WITH clause the page's query reads.
    """
    sql = (
        f"{with_sql}SELECT p.id, p.total, p.exact, {_RESULT_COLUMNS} FROM ({page_sql}) p"  # noqa: S608
        " JOIN community_thread th ON th.id = p.id JOIN community_space sp ON sp.id = th.space_id"
        f" ORDER BY {order_by}"
    )
    results = []
    for row in _fetch(sql, [*with_params, *params]):
        created_at = row[9]
        if not isinstance(created_at, datetime) or timezone.is_naive(created_at):
            # SQLite hands raw SQL its text, or a naive datetime: read it as the ORM does.
            created_at = connection.ops.convert_datetimefield_value(created_at, None, connection)
        results.append(Result(row[0], row[1], bool(row[2]), *row[3:9], created_at, *row[10:]))
    return results


def _document(title: str, tags: str, body: str) -> str:
    """The SQL of a search document from three SQL expressions: title weighted A, tags B, text C.

    The language is from a fixed list (search_language), so it is written into the SQL.
    """
    language = search_language()
    return (
        f"setweight(to_tsvector('{language}', {title}), 'A')"
        f" || setweight(to_tsvector('{language}', {tags}), 'B')"
        f" || setweight(to_tsvector('{language}', {body}), 'C')"
    )


class PostgresBackend:
    def write(self, documents: list[Document]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE community_thread SET search_document = {_document('%s', '%s', '%s')} WHERE id = %s",  # noqa: S608
                [(doc.title, doc.tags, doc.body, doc.thread_id) for doc in documents],
            )

    def write_from_html(self, thread_ids: list[int]) -> int:
        """Write these threads' documents in one statement that reads their posts' HTML; returns how many.

        For bulk writers (importers): PostgreSQL's text search parser
        recognises tags and entities and leaves them out of a tsvector, so
        the documents are built where the posts are (DOCUMENTS_OF_HTML_SQL)
        and never travel to Python and back, nor through html_to_text, which
        was most of the time of indexing thousands of threads in Python. The
        lexemes differ from `write`'s only where markup sits inside a word
        ("foo<b>bar</b>" gives two words) and for images' alt text (not
        kept); the caps count the markup too, so a long post may have
        somewhat less of its text indexed.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH documents AS ({DOCUMENTS_OF_HTML_SQL})"  # noqa: S608
                f" UPDATE community_thread t SET search_document = {_document('d.title', 'd.tags', 'd.body')}"
                " FROM documents d WHERE t.id = d.id",
                {"ids": thread_ids, "thread_type": ContentType.objects.get_for_model(Thread).pk},
            )
            return cursor.rowcount

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE community_thread SET search_document = NULL WHERE search_document IS NOT NULL")

    def prepare_rebuild(self) -> None:
        pass  # the configuration is applied by write(): nothing to change before

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            # Fresh statistics on the lexemes let the planner tell a rare word from a common one.
            cursor.execute("ANALYZE community_thread")

    def candidates(self, query: ParsedQuery, where: Where, *, order: Order, cap: int) -> tuple[str, list]:
        """(sql, params) of the first `cap` matching threads in the candidate order: rows of (id, score, created_at).

        For the ask page's similar questions (candidate_ids), which rank in Python.
        """
        key = _CANDIDATE_KEYS[order]
        tsquery = _tsquery()
        if not query.has_phrase:
            sql = (
                "SELECT t.id, t.score, t.created_at FROM community_thread t"  # noqa: S608
                f" WHERE t.search_document @@ {tsquery} AND {where.sql()} ORDER BY {key} LIMIT %s"
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
            f" WHERE t.search_document @@ {_words_tsquery()} AND {where.sql()} ORDER BY {key} LIMIT %s"
            f") w WHERE (SELECT d.search_document @@ {tsquery} FROM community_thread d WHERE d.id = w.id)"
            f" ORDER BY {key.replace('t.', 'w.')} LIMIT %s"
        )
        return sql, [query.to_websearch(wanted_only=True), *where.params, PHRASE_CANDIDATES, query.to_websearch(), cap]

    def page(
        self, query: ParsedQuery, where: Where, *, order: Order, cap: int, limit: int, offset: int
    ) -> list[Result]:
        """One page of results. One query, or two for a page across the end of the ranked matches."""
        key, typed = _CANDIDATE_KEYS[order], query.to_websearch()
        if query.has_phrase:
            # The window of threads holding the words (w) is read once; the phrase's order is checked in
            # it, a level above its LIMIT so for its rows only whatever the plan, and the matches (c) are
            # counted and paged. A full window may have left matches unchecked: the count is then a floor.
            prefix = (
                "WITH w AS MATERIALIZED (SELECT t.id, t.score, t.created_at, t.search_document AS document"  # noqa: S608
                f" FROM community_thread t WHERE t.search_document @@ {_words_tsquery()} AND {where.sql()}"
                f" ORDER BY {key} LIMIT %s),"
                f" c AS MATERIALIZED (SELECT w.* FROM w WHERE w.document @@ {_tsquery()}"
                f" ORDER BY {key.replace('t.', 'w.')} LIMIT %s) "
            )
            prefix_params = [query.to_websearch(wanted_only=True), *where.params, PHRASE_CANDIDATES, typed, cap]
            count, count_params = "(SELECT count(*) FROM c)", []
            exact, exact_params = "(SELECT count(*) < %s FROM w)", [PHRASE_CANDIDATES]
            source, source_params = "c AS t", []
            document = "t.document"
        elif len(query.words()) > 1:
            # Several words: the planner takes them to be independent, expects fewer threads to hold
            # them all than do, and reads every match through the GIN index before sorting. The first
            # `cap` of that one read are kept, and counted.
            prefix = (
                "WITH c AS MATERIALIZED (SELECT t.id, t.score, t.created_at, t.search_document AS document"  # noqa: S608
                f" FROM community_thread t WHERE t.search_document @@ {_tsquery()} AND {where.sql()}"
                f" ORDER BY {key} LIMIT %s) "
            )
            prefix_params = [typed, *where.params, cap]
            count, count_params = "(SELECT count(*) FROM c)", []
            exact, exact_params = "TRUE", []
            source, source_params = "c AS t", []
            document = "t.document"
        else:
            # One word: the planner knows how common it is and, for a common one, walks the (score, id)
            # index and stops at the page. Counting apart, in no order, then costs less than walking on
            # to `cap` (see the module's docstring).
            match = f"t.search_document @@ {_tsquery()} AND {where.sql()}"
            prefix, prefix_params = "", []
            count = f"(SELECT count(*) FROM (SELECT 1 FROM community_thread t WHERE {match} LIMIT %s) n)"  # noqa: S608
            count_params = [typed, *where.params, cap]
            exact, exact_params = "TRUE", []
            source = f"community_thread t WHERE {match}"
            source_params = [typed, *where.params]
            document = "t.search_document"

        results: list[Result] = []
        ranked = RANKED if order == Order.RELEVANCE else 0
        end = min(offset + limit, cap)
        if end <= offset:
            return results
        if offset < ranked:
            # Ranked outside the walk, so that ts_rank runs for the RANKED rows only, whatever plan finds them.
            sql = (
                f"SELECT r.id, {count} AS total, {exact} AS exact, {_ts_rank('r.document')} AS rank, r.score"  # noqa: S608
                f" FROM (SELECT t.id, t.score, {document} AS document FROM {source} ORDER BY {key} LIMIT %s) r"
                " ORDER BY rank DESC, r.score DESC, r.id DESC LIMIT %s OFFSET %s"
            )
            params = [*count_params, *exact_params, typed, *source_params, ranked, min(end, ranked) - offset, offset]
            order_by = "p.rank DESC, p.score DESC, p.id DESC"
            results += _results(sql, params, order_by, with_sql=prefix, with_params=prefix_params)
        start = max(offset, ranked)
        if end > start:
            sql = (
                f"SELECT t.id, {count} AS total, {exact} AS exact, t.score, t.created_at FROM {source}"  # noqa: S608
                f" ORDER BY {key} LIMIT %s OFFSET %s"
            )
            params = [*count_params, *exact_params, *source_params, end - start, start]
            results += _results(sql, params, key.replace("t.", "p."), with_sql=prefix, with_params=prefix_params)
        return results


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

    def prepare_rebuild(self) -> None:
        """Recreate the FTS5 table, empty, if its tokenizer is not the configured language's.

        FTS5 fixes a table's tokenizer when the table is created (by the
        migration, for english), so a change of RAPPORT_SEARCH_LANGUAGE takes
        effect here, at the next rebuild.
        """
        declaration = f"tokenize = '{fts5_tokenizer()}'"
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'community_thread_fts'")
            row = cursor.fetchone()
            if row is not None and declaration in row[0]:
                return
            cursor.execute("DROP TABLE IF EXISTS community_thread_fts")
            cursor.execute(f"CREATE VIRTUAL TABLE community_thread_fts USING fts5(title, tags, body, {declaration})")

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
    ) -> list[Result]:
        """One page of results, with the number of candidates."""
        relevance = order == Order.RELEVANCE
        inner, params = self.candidates(query, where, order=order, cap=cap, rank=relevance)
        # SQLite refuses bm25() beside a window function, so the count is taken one level up.
        ordering = "c.rank, c.score DESC, c.id DESC" if relevance else _RESULT_KEYS[order]
        sql = (
            f"SELECT c.id, count(*) OVER () AS total, 1 AS exact, {'c.rank' if relevance else 'NULL AS rank'},"  # noqa: S608
            f" c.score, c.created_at FROM ({inner}) c ORDER BY {ordering} LIMIT %s OFFSET %s"
        )
        return _results(sql, [*params, limit, offset], ordering.replace("c.", "p."))


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
