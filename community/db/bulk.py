"""Bulk writes: primary keys taken up front, rows written as plain tuples.

Shared by the importers and the search index's bulk writes, so it holds
nothing specific to any of them.

`bulk_create` compiles an INSERT with a placeholder per value, prepares every
value through its field, and leaves the caller to look the new rows up again
to learn their keys. A bulk writer of tens of thousands of rows that point at
each other does better by:

1. taking the keys first (`allocate_ids`), so a batch knows every row's key
   before it writes anything and never looks rows up afterwards. PostgreSQL
   hands them out from the table's sequence, so they never collide with other
   writers. SQLite has one writer at a time: inside the batch's transaction
   (BEGIN IMMEDIATE with the project's settings) the table's AUTOINCREMENT
   counter cannot move under us, and inserting the rows moves it past them;
2. writing the rows as tuples (`insert_rows`): PostgreSQL's COPY FROM STDIN,
   which streams them without building any SQL; SQLite one executemany.

The rows are not checked against unique constraints beforehand: callers skip
what earlier runs wrote (they key rows on source ids). A row that still
collides, written meanwhile by someone else, fails the batch, which then
rolls back whole. The database checks every foreign key as it always does,
row by row: nothing here switches off its triggers, constraints or planner
settings, so every role and every server runs the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

T = TypeVar("T")
R = TypeVar("R")

# A table that at least doubled since its last ANALYZE is planned for as the
# table it was: the first import into a new site, a small site's tables after
# a large import. Smaller growth is left to autovacuum (whose default is a
# tenth): sampling a large thread table again costs about a second (the
# lexemes of every sampled search document are counted), which many small
# imports into a large database would pay again and again. Autovacuum also
# waits for 50 changed rows, which a small table such as the spaces never
# reaches; this does not.
ANALYZE_SCALE_FACTOR = 1.0


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def commit_without_waiting() -> None:
    """Let the current transaction's COMMIT return before its WAL reaches the disk (PostgreSQL).

    For resumable bulk writers: a server crash may lose the last few
    batches' commits (never a part of one), which a rerun writes again; a
    crash of the writer loses nothing. This is durability, not integrity:
    every constraint and key is checked as usual. Waiting for the disk at
    every batch's commit was a tenth of an import's time. Call inside the
    transaction: it lasts until its end.
    """
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


@contextmanager
def batch_transaction() -> Iterator[None]:
    """One batch of bulk writes as a transaction that commits without waiting for the disk."""
    with transaction.atomic():
        commit_without_waiting()
        yield


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys of `model`'s table, ascending. Call inside the transaction that uses them."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        quote = connection.ops.quote_name
        # Django's SQLite tables are AUTOINCREMENT: never reuse a key, even a deleted row's.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"  # noqa: S608
            f" COALESCE((SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(table)}), 0))",
            [table],
        )
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


class Columns:
    """The columns an importer fills for a model, in order, and the defaults of the others.

    Every concrete column is written: COPY and INSERT would otherwise leave
    the database's defaults, and Django keeps its defaults in Python.
    """

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        self.model = model
        given = [model._meta.get_field(name) for name in names]
        given_columns = {field.column for field in given}
        pk = model._meta.pk
        auto_pk = isinstance(pk, AutoFieldMixin)
        rest = [
            field
            for field in model._meta.concrete_fields
            if field.column not in given_columns and not (auto_pk and field is pk)
        ]
        self.fields = [*given, *rest]
        self._rest = rest

    def defaults(self) -> tuple:
        """The values of the columns the caller does not give: their defaults, `now` for auto_now fields."""
        now = timezone.now()
        return tuple(
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
            for field in self._rest
        )


def insert_rows(columns: Columns, rows: Iterable[Sequence]) -> int:
    """Write `rows` (tuples in the order of `columns`' names) and return how many; call in a transaction."""
    table = connection.ops.quote_name(columns.model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns.fields)
    defaults = columns.defaults()
    count = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            # Table and column names come from the model.
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *defaults))
                    count += 1
            return count
        fields = columns.fields
        prepared = [
            [field.get_db_prep_save(value, connection) for field, value in zip(fields, (*row, *defaults), strict=True)]
            for row in rows
        ]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)  # noqa: S608
        return len(prepared)


def _array_type(field: models.Field) -> str:
    """The PostgreSQL type of an array of the field's values; text for strings, which varchar(n) would cut short."""
    if field.get_internal_type() in {"CharField", "TextField", "SlugField", "EmailField", "URLField"}:
        return "text"
    return field.db_type(connection)


def update_rows(
    model: type[models.Model],
    rows: Sequence[Sequence],
    *,
    assign: Sequence[str] = (),
    add: Sequence[str] = (),
    fill: Sequence[str] = (),
) -> None:
    """Update rows by primary key; each row is (*assign values, *add values, *fill values, pk).

    `assign` fields take the value, `add` fields grow by it (a counter kept
    in the transaction that writes what it counts, as the services do with
    F()), `fill` fields take it unless it is None. PostgreSQL gets one
    UPDATE ... FROM unnest(arrays), not one statement per row: updating the
    thread table, with its many indexes, is dear enough without that.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in (*assign, *add, *fill)]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    kinds = ["assign"] * len(assign) + ["add"] * len(add) + ["fill"] * len(fill)
    targets = [quote(field.column) for field in fields]
    with connection.cursor() as cursor:
        if is_postgresql():
            values = {"assign": "v.c{i}", "add": "t.{column} + v.c{i}", "fill": "COALESCE(v.c{i}, t.{column})"}
            sets = ", ".join(
                f"{column} = {values[kind].format(i=i, column=column)}"
                for i, (kind, column) in enumerate(zip(kinds, targets, strict=True))
            )
            arrays = ", ".join(f"%s::{_array_type(field)}[]" for field in [*fields, meta.pk])
            names = ", ".join([*(f"c{i}" for i in range(len(fields))), "pk"])
            # Names and types come from the model; values travel as arrays.
            cursor.execute(
                f"UPDATE {table} t SET {sets} FROM unnest({arrays}) AS v({names}) WHERE t.{pk} = v.pk",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        values = {"assign": "%s", "add": "{column} + %s", "fill": "COALESCE(%s, {column})"}
        sets = ", ".join(
            f"{column} = {values[kind].format(column=column)}" for kind, column in zip(kinds, targets, strict=True)
        )
        prepared = [
            [field.get_db_prep_save(value, connection) for field, value in zip([*fields, meta.pk], row, strict=True)]
            for row in rows
        ]
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", prepared)  # noqa: S608


def values_in(
    model: type[models.Model], field: str, values: Iterable, columns: Sequence[str], **equal: object
) -> list[tuple]:
    """SELECT columns FROM model WHERE field IN values [AND name = value for `equal`], for long lists of values.

    PostgreSQL gets the values as one array parameter: a placeholder per
    value costs more to build and parse than the query costs to run.
    """
    values = list(values)
    if not values:
        return []
    if not is_postgresql():
        rows: list[tuple] = []
        for start in range(0, len(values), 900):  # under SQLite's limit on parameters
            chunk = values[start : start + 900]
            rows.extend(model._default_manager.filter(**{f"{field}__in": chunk}, **equal).values_list(*columns))
        return rows
    quote = connection.ops.quote_name
    meta = model._meta
    target = meta.get_field(field)
    selected = ", ".join(quote(meta.get_field(name).column) for name in columns)
    conditions = "".join(f" AND {quote(meta.get_field(name).column)} = %s" for name in equal)
    with connection.cursor() as cursor:
        # Names and types come from the model; the values are parameters.
        cursor.execute(
            f"SELECT {selected} FROM {quote(meta.db_table)}"  # noqa: S608
            f" WHERE {quote(target.column)} = ANY(%s::{_array_type(target)}[]){conditions}",
            [values, *equal.values()],
        )
        return cursor.fetchall()


def analyze_grown(added: dict[type[models.Model], int], *, workers: int = 1) -> list[str]:
    """ANALYZE (PostgreSQL) the tables that grew enough to matter since their last ANALYZE; returns their names.

    The planner picks plans from these statistics: a table that has just
    grown severalfold, or a new space missing from the spread of threads over
    spaces, would otherwise be planned for as it was. `added` is the rows
    this run wrote per table: at least that much growth is counted, whatever
    the statistics collector has seen so far. A table that grew by less than
    ANALYZE_SCALE_FACTOR since its last ANALYZE is left alone (see there).
    With `workers` > 1, outside a transaction, that many connections share
    the tables, largest first (each ANALYZE keeps one core busy).
    """
    if not is_postgresql():
        return []
    grown: dict[str, int] = {}
    for model, count in added.items():
        if count > 0:
            grown[model._meta.db_table] = grown.get(model._meta.db_table, 0) + count
    if not grown:
        return []
    with connection.cursor() as cursor:
        # reltuples: the rows the last ANALYZE (or VACUUM) counted, -1 when never;
        # n_live_tup: the rows now, as the statistics collector knows them.
        cursor.execute(
            "SELECT c.relname, COALESCE(s.n_live_tup, 0), GREATEST(c.reltuples, 0)"
            " FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
            " WHERE c.oid = ANY(%s::regclass[])",
            [sorted(grown)],
        )
        sizes = {
            table: max(live, grown[table])
            for table, live, counted in cursor.fetchall()
            if max(live - counted, grown[table]) > ANALYZE_SCALE_FACTOR * counted
        }
    stale = sorted(sizes)

    def analyze(table: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    if workers <= 1 or len(stale) <= 1 or connection.in_atomic_block:
        for table in stale:
            analyze(table)
        return stale

    map_on_own_connections(analyze, sorted(stale, key=sizes.__getitem__, reverse=True), workers=workers, name="analyze")
    return stale


def map_on_own_connections(function: Callable[[T], R], items: Iterable[T], *, workers: int, name: str) -> list[R]:
    """[function(item) for item in items], on `workers` threads (named `name`-N), each with a connection of its own.

    For bulk steps whose work is the server's: each connection keeps one of
    its cores busy. Each call must be its own transaction (the threads share
    none with the caller), and each thread's connection is closed after.
    """

    def run(item: T) -> R:
        try:
            return function(item)
        finally:
            connection.close()  # this worker thread's own connection

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        return list(pool.map(run, items))
