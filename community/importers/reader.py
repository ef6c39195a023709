"""Read a dump file and prepare its rows in a process of its own, while the importer writes.

Parsing XML and cleaning HTML is Python's work, and so is handing the
batches to PostgreSQL: in one process both share one interpreter lock,
which held the importer to one core in its members and posts steps while
the other core waited. A `ReaderProcess` runs `iter_rows` and a step's
`prepare(row)` (a module-level function of the row alone, whose result
pickles) in a child process, and sends the results back in batches; the
importer's process only looks keys up in its maps and writes.

The child is spawned, not forked (the importer has threads and open
connections), once per importer run, and reads one file at a time. At most
PREPARED_BATCHES wait in the pipe, so memory stays bounded. A row that
`prepare` or the XML parser rejects ends the file with the same
DumpFileError, naming the file and line, as reading in-process would: the
batches before it arrive first and are written, the one it is in is not.
A file the importer stops reading early (its writes failed) is abandoned
by the child at its next batch.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from community.importers.xmlrows import DumpFileError, Row, iter_rows

PREPARED_BATCHES = 2
_POLL_SECONDS = 1.0  # how often a wait for the child checks that it is still alive


class ReaderError(RuntimeError):
    """The reader process failed in a way that is not the dump's fault (its traceback is the message)."""


def _serve(tasks: multiprocessing.Queue, results: multiprocessing.Queue, current: Any) -> None:
    """The child: read each file asked for and send (task, kind, payload, bytes read) messages."""
    import django

    django.setup()  # prepare functions may use models' metadata and the project's settings
    while (task := tasks.get()) is not None:
        task_id, path, module, name, batch_size = task
        prepare = getattr(importlib.import_module(module), name)
        done = 0

        def read_up_to(position: int) -> None:
            nonlocal done
            done = position

        batch: list = []  # one prepared item per row read
        try:
            for row in iter_rows(Path(path), on_progress=read_up_to):
                batch.append(prepare(row))
                if len(batch) >= batch_size:
                    if current.value != task_id:
                        break  # the importer stopped reading this file
                    results.put((task_id, "rows", batch, done))
                    batch = []
            else:
                if batch:
                    results.put((task_id, "rows", batch, done))
                results.put((task_id, "end", None, done))
        except DumpFileError as exc:
            results.put((task_id, "dump", (str(exc.path), exc.line, exc.message), done))
        except Exception:  # noqa: BLE001 - reported to the importer, which stops
            results.put((task_id, "failed", traceback.format_exc(), done))


class ReaderProcess:
    """One child process that reads the files of an import, one after the other. Close it when done."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._tasks = context.Queue()
        self._results = context.Queue(maxsize=PREPARED_BATCHES)
        self._current = context.Value("q", 0, lock=False)
        self._process = context.Process(
            target=_serve, args=(self._tasks, self._results, self._current), name="import-reader", daemon=True
        )
        self._process.start()
        self._task = 0

    def batches(self, path: Path, prepare: Callable[[Row], Any], batch_size: int) -> Iterator[tuple[list, int]]:
        """(prepared rows, one per row read; bytes read so far) for each batch of `path`; raises the dump's errors."""
        if "." in prepare.__qualname__:
            raise ValueError(
                f"{prepare.__qualname__}: the reader imports prepare functions by name; use a module-level one"
            )
        self._task += 1
        task = self._current.value = self._task
        self._tasks.put((task, os.fspath(path), prepare.__module__, prepare.__qualname__, batch_size))
        while True:
            message = self._receive()
            if message[0] != task:
                continue  # the rest of a file abandoned earlier
            _, kind, payload, done = message
            if kind == "rows":
                yield payload, done
            elif kind == "end":
                return
            elif kind == "dump":
                raise DumpFileError(Path(payload[0]), payload[1], payload[2])
            else:
                raise ReaderError(f"reading {path} failed:\n{payload}")

    def _receive(self) -> tuple:
        while True:
            try:
                return self._results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if not self._process.is_alive():
                    raise ReaderError(f"the reader process ended (exit code {self._process.exitcode})") from None

    def close(self) -> None:
        """Stop the child: at once if it is still busy with a file nobody reads any more."""
        self._current.value = -1
        if self._process.is_alive():
            self._tasks.put(None)
            # Drain what it was sending, so it can reach the end of its file and the stop.
            self._process.join(timeout=0.2)
            while self._process.is_alive():
                try:
                    self._results.get(timeout=0.1)
                except queue.Empty:
                    self._process.join(timeout=0.1)
        self._process.join()
        self._tasks.close()
        self._results.close()
