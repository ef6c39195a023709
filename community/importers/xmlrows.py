"""Stream the `<row .../>` elements of a large XML file, each with the line it came from.

This is ElementTree's incremental parser (`XMLPullParser`, the engine behind
`iterparse`) fed one line at a time, with each row cleared as soon as it has
been read, so memory stays flat however large the file. Feeding by line is
what lets an error name the line of the row that caused it: a C-accelerated
Element has no `sourceline`, and `iterparse` reads 16 KiB ahead, so it could
only say where its buffer was. Stack Exchange dumps put one row on each
line; a longer line is fed in pieces of at most 1 MiB, which keeps memory
bounded even for a file with no line breaks at all.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils import timezone

READ_LIMIT = 1 << 20


class DumpError(Exception):
    """The dump cannot be imported as it is (missing directory or file)."""


class DumpFileError(DumpError):
    """A file of the dump is malformed at a known line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}: line {line}: {message}")


def parse_utc(value: str) -> dt.datetime:
    """Stack Exchange dates are UTC without a zone ("2021-04-27T15:06:44.553"); make them aware."""
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else timezone.make_aware(parsed, dt.UTC)


class Row:
    """One row's attributes, with typed getters whose errors name the file, line and attribute."""

    __slots__ = ("attrs", "line", "path")

    def __init__(self, attrs: dict[str, str], path: Path, line: int) -> None:
        self.attrs, self.path, self.line = attrs, path, line

    def error(self, message: str) -> DumpFileError:
        return DumpFileError(self.path, self.line, message)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def text(self, name: str) -> str:
        value = self.attrs.get(name)
        if value is None:
            raise self.error(f"the row has no {name} attribute, which is required")
        return value

    def int(self, name: str) -> int:
        value = self.text(name)
        try:
            return int(value)
        except ValueError:
            raise self.error(f"{name}={value!r} is not a whole number") from None

    def opt_int(self, name: str) -> int | None:
        return self.int(name) if self.attrs.get(name) else None

    def date(self, name: str) -> dt.datetime:
        value = self.text(name)
        try:
            return parse_utc(value)
        except ValueError:
            raise self.error(f"{name}={value!r} is not a date and time like 2021-04-27T15:06:44.553") from None

    def opt_date(self, name: str) -> dt.datetime | None:
        return self.date(name) if self.attrs.get(name) else None


def iter_rows(path: Path, *, on_progress: Callable[[int], None] | None = None) -> Iterator[Row]:
    """Yield every `row` element of `path` in file order; raise DumpFileError on malformed XML.

    `on_progress(bytes_read)` is called after each line.
    """
    parser = ET.XMLPullParser(events=("start", "end"))
    # Python builds with Expat >= 2.6 may defer parsing a large token until
    # more input arrives; flushing after each line keeps line numbers exact.
    flush = getattr(parser, "flush", None)
    root: ET.Element | None = None
    line = 1
    done = 0
    with path.open("rb") as source:
        while True:
            chunk = source.readline(READ_LIMIT)
            try:
                if chunk:
                    parser.feed(chunk)
                    if flush is not None:
                        flush()
                else:
                    parser.close()
                events = list(parser.read_events())
            except ET.ParseError as exc:
                error_line, column = exc.position
                reason = str(exc).rsplit(": line ", 1)[0]  # Expat's own position is 0-based; ours is below
                raise DumpFileError(path, error_line, f"malformed XML at column {column + 1} ({reason})") from None
            for event, element in events:
                if event == "start":
                    if root is None:
                        root = element
                    continue
                if element.tag == "row":
                    yield Row(dict(element.attrib), path, line)
                    # Drop the finished rows so the tree never grows.
                    element.clear()
                    if root is not None:
                        root.clear()
            if not chunk:
                return
            done += len(chunk)
            if chunk.endswith(b"\n"):
                line += 1
            if on_progress is not None:
                on_progress(done)
