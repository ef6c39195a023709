"""A dependency-free progress bar for long management commands.

On a terminal it redraws one line (at most a few times a second); anywhere
else (a log file, a test) it writes one line per finished step.
"""

from __future__ import annotations

import time
from collections.abc import Callable

WIDTH = 30
REDRAW_EVERY = 0.2  # seconds


class Progress:
    def __init__(self, write: Callable[[str], None] | None = None, *, interactive: bool = False) -> None:
        self._write = write
        self._interactive = interactive and write is not None
        self.label = ""  # of the current step
        self._total = 0
        self._started = 0.0
        self._drawn = 0.0
        self.rows = 0
        self.finished: list[tuple[str, int, float]] = []  # (label, rows, seconds) of each finished step

    def start(self, label: str, total_bytes: int) -> None:
        self.label, self._total, self.rows = label, max(total_bytes, 1), 0
        self._started = self._drawn = time.monotonic()

    def update(self, done_bytes: int) -> None:
        if not self._interactive:
            return
        now = time.monotonic()
        if now - self._drawn < REDRAW_EVERY:
            return
        self._drawn = now
        fraction = min(done_bytes / self._total, 1.0)
        filled = int(WIDTH * fraction)
        rate = self.rows / max(now - self._started, 1e-6)
        bar = "#" * filled + "." * (WIDTH - filled)
        self._write(f"\r{self.label:<16} [{bar}] {fraction:4.0%} {self.rows:>10,} rows {rate:>8,.0f}/s")

    def finish(self, note: str = "") -> None:
        self.add_finished(self.label, self.rows, time.monotonic() - self._started, note)

    def add_finished(self, label: str, rows: int, seconds: float, note: str = "") -> None:
        """Record and report a finished step: this one's, or one that ran elsewhere (another thread's)."""
        self.finished.append((label, rows, seconds))
        if self._write is None:
            return
        line = f"{label:<16} {rows:>10,} rows in {seconds:6.1f} s"
        if note:
            line += f"  ({note})"
        self._write(("\r" if self._interactive else "") + line.ljust(WIDTH + 50) + "\n")
