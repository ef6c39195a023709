"""Keyset ("cursor") pagination on (sort key, id), newest or highest first.

OFFSET pagination makes the database walk and throw away every earlier row,
and "page 40 of 312" needs a COUNT(*) over the whole filtered table on every
request. A cursor instead says "the rows after (key=K, id=I)", which an index
on (key, id) answers by seeking straight there, however deep the page.

Pages only know whether there is a next and a previous page, which is all the
"Newer / Older" links need. A cursor that does not decode (edited by hand, or
from an older version) is treated as no cursor: the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Field, Func, QuerySet, Value
from django.db.models.lookups import GreaterThan, LessThan


class _Row(Func):
    """A row value, "(a, b)".

    Comparing rows, "(key, id) < (K, I)", rather than "key < K OR (key = K AND
    id < I)", lets the database seek straight into the (key, id) index even
    when thousands of rows share the key (a score of 0), instead of reading
    past every tie. PostgreSQL, SQLite (3.15+) and MySQL all support it.
    """

    function = ""
    output_field = Field()


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    next_cursor: str | None  # pass as ?after=
    previous_cursor: str | None  # pass as ?before=


def encode_cursor(value: int | datetime, pk: int) -> str:
    raw = [value.isoformat() if isinstance(value, datetime) else value, pk]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str | None, value_type: type) -> tuple[Any, int] | None:
    if not token or len(token) > 200:
        return None
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if value_type is datetime:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                return None
        elif type(value) is not value_type:
            return None
        if type(pk) is not int:
            return None
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    return value, pk


def keyset_page(
    queryset: QuerySet,
    *,
    key: str,
    value_type: type,
    limit: int,
    after: str | None = None,
    before: str | None = None,
    key_of: Callable[[Any], Any] | None = None,
) -> Page:
    """One page of `queryset` ordered by (key, pk) descending.

    `after` continues towards older/lower rows, `before` goes back towards
    newer/higher ones. Both come from a previous Page. `key_of` reads the key
    from a fetched row (default: the attribute named `key`).
    """
    key_of = key_of or (lambda row: getattr(row, key))
    newer = decode_cursor(before, value_type) if before else None
    older = decode_cursor(after, value_type) if not newer else None

    cursor_field = queryset.model._meta.get_field(key)

    def cursor_row(value: Any, pk: int) -> _Row:
        return _Row(Value(value, output_field=cursor_field), Value(pk))

    if newer:
        # Walk up from the cursor, then flip the rows back into display order.
        rows = list(
            queryset.filter(GreaterThan(_Row(F(key), F("pk")), cursor_row(*newer))).order_by(key, "pk")[: limit + 1]
        )
        has_more_newer = len(rows) > limit
        rows = rows[:limit][::-1]
        has_more_older = True
    else:
        if older:
            queryset = queryset.filter(LessThan(_Row(F(key), F("pk")), cursor_row(*older)))
        rows = list(queryset.order_by(f"-{key}", "-pk")[: limit + 1])
        has_more_older = len(rows) > limit
        rows = rows[:limit]
        has_more_newer = older is not None

    if not rows:
        return Page(items=[], next_cursor=None, previous_cursor=None)
    return Page(
        items=rows,
        next_cursor=encode_cursor(key_of(rows[-1]), rows[-1].pk) if has_more_older else None,
        previous_cursor=encode_cursor(key_of(rows[0]), rows[0].pk) if has_more_newer else None,
    )
