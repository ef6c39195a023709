"""Rewrite every thread's search document from its title, tags and posts."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from community.search.index import search_index_clear, search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index of every thread (run after migrating a database that already has "
        "threads, after a bulk import, or to repair the index). Works in chunks, each its own transaction, so "
        "search keeps working while it runs. Safe to rerun."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--clear",
            action="store_true",
            help="Empty the index first; search finds nothing until the rebuild has passed each thread.",
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        if options["clear"]:
            search_index_clear()
        # On a terminal, one line redrawn in place; in a log, a line per tenth of the way.
        interactive = self.stdout.isatty()
        shown = {"tenth": -1}

        def progress(done: int, total: int) -> None:
            if interactive:
                self.stdout.write(f"\rIndexed {done:,} of {total:,} threads", ending="")
                self.stdout.flush()
                return
            tenth = done * 10 // max(total, 1)
            if tenth != shown["tenth"]:
                shown["tenth"] = tenth
                self.stdout.write(f"Indexed {done:,} of {total:,} threads")

        indexed = search_index_rebuild(progress=progress)
        if interactive:
            self.stdout.write("")
        self.stdout.write(f"Indexed {indexed:,} threads in {time.monotonic() - started:.1f} s.")
