"""Write batches on a thread of their own while the caller reads the next ones.

An importer alternates between taking a batch (prepared by its reader
process, or read and cleaned here: Python's work) and writing it
(PostgreSQL's work, which the Python process mostly waits for). On two cores
these can overlap: the caller hands each batch's writes to
`BatchWriter.submit` and goes on reading, and one thread, with a database
connection of its own, runs the writes in the order they were handed over,
each in its own transaction. Two batches at most wait, so memory stays
bounded.

Writes run on the caller's own connection instead (`inline`) when another
thread's connection could not see or would not share the caller's
transaction (the caller is inside an atomic block, as every test is), and
on SQLite, which has one writer at a time.

The first write that fails stops the writer: later ones are dropped, and
the error is raised to the caller at its next `submit`, `flush` or `close`.
Everything handed over before the failing write is committed, which is what
makes an import resumable.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from django.db import connection

QUEUED_BATCHES = 2


class BatchWriter:
    def __init__(self, run: Callable[[Callable[[], None]], None]) -> None:
        """`run(write)` performs one handed-over write (the caller's transaction wrapper)."""
        self._run = run
        self.inline = connection.vendor != "postgresql" or connection.in_atomic_block
        self._error: BaseException | None = None  # raised once, to the caller
        self._failed = False  # for good: no write runs after a failed one
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=QUEUED_BATCHES)
        self._thread: threading.Thread | None = None

    def submit(self, write: Callable[[], None]) -> None:
        if self.inline:
            self._run(write)
            return
        self._raise()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="import-writer", daemon=True)
            self._thread.start()
        self._queue.put(write)

    def flush(self) -> None:
        """Wait until every write handed over is committed (or the writer failed); raise its error."""
        if self._thread is not None:
            self._queue.join()
        self._raise()

    def close(self) -> None:
        """Finish the writes handed over and stop the thread; raise the writer's error, if any."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _loop(self) -> None:
        try:
            while True:
                write = self._queue.get()
                try:
                    if write is None:
                        return
                    if not self._failed:
                        self._run(write)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller, which decides
                    self._error, self._failed = exc, True
                finally:
                    self._queue.task_done()
        finally:
            connection.close()  # the connection Django opened for this thread
