"""The import run: files in a fixed order, one transaction per batch, maps of ids kept as ints."""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import DatabaseError, connection, reset_queries
from django.utils.module_loading import import_string
from django.utils.text import slugify
from taggit.models import Tag

from accounts.models import Profile, User
from community import caching
from community.db.bulk import analyze_grown, batch_transaction
from community.importers.progress import Progress
from community.importers.reader import ReaderProcess
from community.importers.stackexchange import activity, history, members, posts
from community.importers.stackexchange.naming import site_display_name
from community.importers.stackexchange.state import ImportState, ImportSummary, Prepared
from community.importers.writer import BatchWriter
from community.importers.xmlrows import DumpError, Row, iter_rows
from community.models import Comment, Post, Revision, Space, Thread, ThreadKind, ThreadLink, Vote
from community.search.index import search_index_threads_bulk

logger = logging.getLogger(__name__)

SOURCE_PREFIX = "stackexchange:"
SEARCH_STEP = "Search index"
STATISTICS_STEP = "ANALYZE"  # its rows: the tables analyzed
DEFAULT_BATCH_SIZE = 1000
REQUIRED_FILE = "Posts.xml"
# Files at least this big are read by a reader process (see reader.py): one
# takes about a second to start, which a smaller file does not repay.
READER_MIN_BYTES = 8 << 20
# Connections sharing the steps whose work is all the server's (ANALYZE, the
# search documents: PostgreSQL parses their text): one per core to keep busy.
SERVER_WORKERS = 2


# A step of the import: the file it reads (None: it reads none of its own), and the function.
Step = tuple[str | None, Callable[[ImportState, "StackExchangeImporter"], None]]


class BatchWriteError(DumpError):
    """The database refused a batch (which one is in the message); the batches before it are committed."""


@dataclass(frozen=True, slots=True)
class _Batch:
    """One batch's writes, and where in the dump it came from (for the error, if the database refuses it)."""

    write: Callable[[], None]
    where: str

    def __call__(self) -> None:
        self.write()


def side_steps() -> list[tuple[str, Callable[[ImportState, StackExchangeImporter], None]]]:
    """The steps the apps built on community add for their own files (rewards: Badges.xml).

    Community may not import those apps (the import rule): an app names its
    steps in its AppConfig, `stackexchange_side_steps = [(file name, "dotted.path.to.step")]`,
    read here when an import runs, so starting a process loads none of them.
    Such a step runs alongside the comments, votes and links: it must need the
    members alone and write only tables of its own, adding the rows it wrote
    to `state.other_rows` (by model, for the statistics); it may count them
    in the summary.
    """
    return [
        (name, import_string(path))
        for config in apps.get_app_configs()
        for name, path in getattr(config, "stackexchange_side_steps", ())
    ]


class StackExchangeImporter:
    """Import one Stack Exchange site's dump directory into a space. See the package docstring."""

    def __init__(
        self,
        directory: Path | str,
        *,
        site: str | None = None,
        space_slug: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        progress: Progress | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.site = (site or self.directory.resolve().name).strip().lower()
        self.source = f"{SOURCE_PREFIX}{self.site}"
        self.space_slug = space_slug
        self.batch_size = max(1, batch_size)
        self.progress = progress or Progress()
        self.summary = ImportSummary()  # kept by the state once the run has one, and there after an error
        self.state: ImportState | None = None  # what the steps share, from the start of the run
        self.writer = BatchWriter(self._write_now)
        # Reads and prepares the big files' rows in a process of its own while this one writes, where the
        # writer has a thread of its own: started by the run or by the first big file, stopped by close_workers.
        self.reader: ReaderProcess | None = None
        self.readers_allowed = True  # until one could not start
        self.step = ""  # the current step's file (or name) and how many batches it handed over, for errors
        self.step_batches = 0

    # --- files -------------------------------------------------------------

    def path(self, name: str) -> Path:
        return self.directory / name

    def has(self, name: str) -> bool:
        return self.path(name).is_file()

    def check(self) -> None:
        if not self.directory.is_dir():
            raise DumpError(f"{self.directory}: no such directory (expected an unpacked Stack Exchange dump)")
        if not self.has(REQUIRED_FILE):
            raise DumpError(f"{self.path(REQUIRED_FILE)}: missing; every Stack Exchange dump has one")
        if not self.site or len(self.source) > Thread._meta.get_field("source").max_length:
            raise DumpError(f"{self.site!r} cannot name the site; pass --site")

    def batches(self, name: str, *, label: str | None = None) -> Iterator[list[Row]]:
        """The rows of a file in lists of batch_size; the caller writes each before asking for the next."""
        path = self.path(name)
        self.progress.start(label or name, path.stat().st_size)
        batch: list[Row] = []
        for row in iter_rows(path, on_progress=self.progress.update):
            self.progress.rows += 1
            batch.append(row)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch
        # Resumed after the caller has handed over the last batch: the time includes its writes.
        self.writer.flush()
        self.progress.finish()

    def prepared(
        self, name: str, prepare: Callable[[Row], Prepared], *, label: str | None = None
    ) -> Iterator[list[Prepared]]:
        """The rows of a file as `prepare` makes them (a module-level function of the row alone), in batches.

        Prepared by the reader process when there is one and the file is
        big enough to repay it (see reader.py), else here; the same rows,
        batches and errors either way.
        """
        path = self.path(name)
        size = path.stat().st_size
        if self._may_read_elsewhere() and size >= READER_MIN_BYTES and self.reader is None:
            self.reader = self._start_reader()  # closed with the writer (close_workers)
        if self.reader is None or size < READER_MIN_BYTES:
            for batch in self.batches(name, label=label):
                yield [prepare(row) for row in batch]
            return
        self.progress.start(label or name, size)
        for batch, done in self.reader.batches(path, prepare, self.batch_size):
            self.progress.rows += len(batch)
            self.progress.update(done)
            yield batch
        self.writer.flush()
        self.progress.finish()

    # --- writing -----------------------------------------------------------

    def write_batch(self, write: Callable[[], None]) -> None:
        """Hand over one batch's writes: one transaction, the unit that commits, rolls back and resumes.

        Every write of the dump's rows goes through here, so a batch is either
        wholly in the database (with the counters of the threads it touched)
        or not at all. On PostgreSQL the writes run on the writer's thread
        while the caller reads the next batch (community/importers/writer.py):
        what a write does to the importer's maps is there for the next file,
        as `batches` waits for the writes of its file before it ends.
        """
        self.step_batches += 1
        self.writer.submit(
            _Batch(write, f"{self.step}, batch {self.step_batches:,} (of up to {self.batch_size:,} rows)")
        )

    def _write_now(self, write: Callable[[], None]) -> None:
        try:
            with batch_transaction():
                write()
        except DatabaseError as exc:
            # A foreign key to a row that vanished (deleted meanwhile), a unique row written meanwhile by
            # someone else: the database refused the batch, whole. Say which one, and that a rerun resumes.
            where = getattr(write, "where", "a batch")
            raise BatchWriteError(
                f"{where}: the database refused it, so none of it was written: {str(exc).strip()}\n"
                "The batches before it are committed; once the cause is fixed, a rerun resumes from there."
            ) from exc
        # Under DEBUG, Django keeps every query's SQL; bulk inserts carry whole
        # posts, so a long import would otherwise grow without bound.
        reset_queries()

    # --- the run -----------------------------------------------------------

    def space_ensure(self) -> tuple[Space, bool]:
        name = site_display_name(self.site)
        slug = self.space_slug or slugify(name)[:80] or "imported"
        return Space.objects.get_or_create(slug=slug, defaults={"name": name, "default_kind": ThreadKind.QUESTION})

    def run(self) -> ImportSummary:
        self.check()
        # Started first when the posts need it: a reader takes a second to start, meanwhile the maps load.
        if self._may_read_elsewhere() and self.path(REQUIRED_FILE).stat().st_size >= READER_MIN_BYTES:
            self.reader = self._start_reader()
        try:
            space, created = self.space_ensure()
            state = self.state = ImportState(
                site=self.site,
                source=self.source,
                space_id=space.pk,
                batch_size=self.batch_size,
                has_history=self.has("PostHistory.xml"),
                summary=self.summary,
            )
            state.other_rows[Space] += created
            # Resuming: whatever an earlier (possibly interrupted) run committed is
            # found by its source id and skipped.
            state.user_map = state.existing(User)
            state.thread_map = state.existing(Thread)
            state.post_map = state.existing(Post)
            self.import_files()
        finally:
            self.close_workers()
        analyzed: list[str] = []
        if connection.vendor == "postgresql":
            self.progress.start(STATISTICS_STEP, 0)
            analyzed = self.analyze()
            self.progress.rows = len(analyzed)
            self.progress.finish(", ".join(analyzed))
        self.progress.start(SEARCH_STEP, 0)
        self.search_index()
        if Thread._meta.db_table in analyzed:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE community_thread (search_document)")
        self.progress.finish()
        # Bulk writes send no signals: cached lists must show the new threads. A
        # thread that was already here and got more answers shows them once its
        # cached page expires (minutes), as bumping every thread one by one
        # would cost more than the import.
        caching.content_changed()
        return self.summary

    def import_files(self) -> None:
        first: list[Step] = [
            ("Tags.xml", members.import_tags),
            ("Users.xml", members.import_users),
            (REQUIRED_FILE, posts.import_posts),
            ("PostHistory.xml", history.import_history),
            (None, history.revisions_fill_missing),
        ]
        then: list[Step] = [
            ("Comments.xml", activity.import_comments),
            ("Votes.xml", activity.import_votes),
            ("PostLinks.xml", activity.import_post_links),
        ]
        for name, step in first:
            self.run_step(name, step)
        # The side steps (badges) need the members alone and touch no table the
        # other steps write: they are read and written alongside the comments,
        # votes and links, which keeps both cores busy where each step alone would not.
        with ExitStack() as beside:
            for name, step in side_steps():
                beside.enter_context(self.alongside(name, step))
            for name, step in then:
                self.run_step(name, step)

    def run_step(self, name: str | None, step: Callable[[ImportState, StackExchangeImporter], None]) -> None:
        """Run one file's step, if the dump has the file (name None: always), and wait for its writes."""
        if name is None or self.has(name):
            self.step, self.step_batches = name or step.__name__.replace("_", " "), 0
            step(self.state, self)
            self.writer.flush()  # the next step reads what this one wrote

    def _may_read_elsewhere(self) -> bool:
        """Whether big files go to a reader process: where a writer thread writes, and one could start."""
        return self.readers_allowed and not self.writer.inline

    def close_workers(self) -> None:
        """Finish the handed-over writes, then stop the reader process; raise the writer's error, if any.

        Whatever was handed over before an error is committed before it is reported.
        """
        try:
            self.writer.close()
        finally:
            if self.reader is not None:
                self.reader.close()
                self.reader = None

    def _start_reader(self) -> ReaderProcess | None:
        """A reader process; None, and every file read here from then on, where this process may not start one."""
        try:
            return ReaderProcess()
        except (AssertionError, OSError) as exc:  # a daemonic process may not have children; no semaphores
            logger.warning("Reading %s in this process: no reader process (%s)", self.directory, exc)
            self.readers_allowed = False
            return None

    @contextmanager
    def alongside(self, name: str, step: Callable[[ImportState, StackExchangeImporter], None]) -> Iterator[None]:
        """Run `step` on a thread of its own (with its own writer and connection) while the block runs.

        The step shares the import's state (maps, summary); it must neither
        write nor read what the block's steps write. Where the writes go
        through the caller's connection (`BatchWriter.inline`: a caller's
        transaction, SQLite) it runs after the block instead. Its progress is
        reported when it has finished. Its error, if any, is raised once the
        block has finished; an error of the block's own is raised instead
        (the rerun meets the other again).
        """
        if not self.has(name):
            yield
            return
        if self.writer.inline:
            yield
            self.run_step(name, step)
            return
        side = copy.copy(self)  # the same state
        side.writer = BatchWriter(side._write_now)
        side.reader = None  # its own, if its file is big enough
        side.progress = Progress()  # drawn by nobody: its finished steps are copied below
        errors: list[BaseException] = []

        def run() -> None:
            try:
                try:
                    side.run_step(name, step)
                finally:
                    side.close_workers()
            except BaseException as exc:  # noqa: BLE001 - raised on the caller's thread
                errors.append(exc)
            finally:
                connection.close()  # this thread's own connection

        thread = threading.Thread(target=run, name="import-alongside", daemon=True)
        thread.start()
        try:
            yield
        finally:
            thread.join()
        for finished in side.progress.finished:
            self.progress.add_finished(*finished)
        if errors:
            raise errors[0]

    def search_index(self) -> None:
        """Write the search documents of every thread of the site, once, after everything else.

        Not with each batch: a thread's answers arrive over several batches,
        and parsing text is the dearest part of indexing. Not before the
        comments: every later update of a thread row with a document rewrites
        the document's entries in the GIN index. Every run does it, even one
        that added nothing, so a rerun completes the documents of a run
        interrupted before or during this step; the documents it rewrites
        come out the same. It commits in chunks of threads, so it never holds
        the whole site's threads locked.
        """
        self.progress.rows = search_index_threads_bulk(self.state.thread_map.values(), workers=SERVER_WORKERS)
        reset_queries()

    def analyze(self) -> list[str]:
        """Fresh planner statistics for the tables this run filled enough to matter (PostgreSQL); their names."""
        added = self.summary
        return analyze_grown(
            {
                **self.state.other_rows,
                User: added.members,
                Profile: added.members,
                Tag: added.tags,
                Thread: added.questions,
                Post: added.questions + added.answers,
                Revision: added.revisions,
                Comment: added.comments,
                Vote: added.votes,
                ThreadLink: added.links,
            },
            workers=SERVER_WORKERS,
        )
