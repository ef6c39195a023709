"""Stream the `<row .../>` elements of a large XML file, each with the line it came from.

Expat (the parser behind ElementTree) reads the file in chunks and calls back
once per start tag, with the attributes as a dict and its current line,
which is the line of the tag being reported. So no element tree is built, a
malformed file is reported at its exact line, and memory holds one chunk and
the rows of that chunk, however large the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.parsers import expat

CHUNK_BYTES = 1 << 16


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
    # replace(), not make_aware(): a dump holds a date or two per row, hundreds of thousands in all.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


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

    `on_progress(bytes_read)` is called after each chunk.
    """
    parser = expat.ParserCreate()
    parsed: list[Row] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            parsed.append(Row(attrs, path, parser.CurrentLineNumber))

    parser.StartElementHandler = start
    done = 0
    with path.open("rb") as source:
        while True:
            chunk = source.read(CHUNK_BYTES)
            error = None
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                reason = expat.ErrorString(exc.code)
                error = DumpFileError(path, exc.lineno, f"malformed XML at column {exc.offset + 1} ({reason})")
            # The rows before a malformed spot are whole: hand them over first, so their batches commit.
            rows, parsed[:] = parsed[:], []
            yield from rows
            if error is not None:
                raise error
            if not chunk:
                return
            done += len(chunk)
            if on_progress is not None:
                on_progress(done)
