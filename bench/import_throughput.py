"""Measure the Stack Exchange importer: posts per second and peak memory.

    DATABASE_URL=postgres://USER@HOST:5432/DBNAME .venv/bin/python bench/import_throughput.py
    DATABASE_URL=... .venv/bin/python bench/import_throughput.py --repeat 5 --batch-size 2000
    DATABASE_URL=... .venv/bin/python bench/import_throughput.py --dump path/to/site.stackexchange.com --keep

It imports the cardano.stackexchange.com dump from the shared data folder
(../shared/data/stackexchange next to the repository, or --dump) K times
(--repeat, default 3), each time under a made-up site name
("bench-<run>-<k>.<site>"), so every round inserts fresh rows keyed on their
own source and nothing collides with a real import or an earlier round.

With --scale K it instead imports once a dump made of K renumbered copies of
the dump (written to a temporary directory first, not timed): one large site,
as a real import is, rather than K small ones each paying a run's fixed costs.

It prints one line per round and a total: posts (questions + answers) per
second of wall time, overall and in the posts stage alone (threads, posts,
tags, accepted answers, first revisions and their counters, plus the search
documents, which the importer writes in a step of their own at the end), the
time of each stage with the CPU seconds spent in it by this process and
its reader processes (which parse the big files and clean their rows) and,
when PostgreSQL runs on this machine, by the server's processes (read from
/proc; so two cores can give at most twice the wall time), summed over the
rounds in the total, and the peak resident memory from getrusage(ru_maxrss)
of this process and, once they have ended, of the largest reader.
Streaming should keep peak memory flat as K grows. Later rounds find the
members' usernames taken by earlier ones and fall back to suffixed names,
which costs their members stage a little more.

DEBUG is off unless the environment sets it (under DEBUG Django formats and
keeps every query). With --keep it finally prints what the database holds.
The rows it created are deleted at the end unless --keep is given. Point it
at a scratch PostgreSQL database you have migrated (manage.py migrate): the
throughput goal (1,000 posts/s overall on one 40x site, --scale 40) is for
PostgreSQL; it runs on SQLite too, with a warning. Results go in
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The steps that make the posts stage: threads, posts, tags, accepted answers, first revisions,
# counters, and then the search documents of the threads.
POSTS_STAGE = {"Posts.xml", "Posts.xml (again)", "Search index"}
DEFAULT_DUMP = ROOT.parent / "shared" / "data" / "stackexchange" / "cardano.stackexchange.com"


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS); for RUSAGE_CHILDREN, the largest ended child's.
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# The attributes holding ids, per file, and how far apart the copies' ids are.
_ID_ATTRIBUTES = {
    "Posts.xml": ("Id", "ParentId", "AcceptedAnswerId", "OwnerUserId", "LastEditorUserId"),
    "Users.xml": ("Id", "AccountId"),
    "Comments.xml": ("Id", "PostId", "UserId"),
    "Votes.xml": ("Id", "PostId", "UserId"),
    "PostLinks.xml": ("Id", "PostId", "RelatedPostId"),
    "Badges.xml": ("Id", "UserId"),
    "PostHistory.xml": ("Id", "PostId", "UserId"),
}
_COPY_OFFSET = 10_000_000


def _scaled_dump(source: Path, copies: int, target: Path) -> None:
    """Write into `target` a dump of `copies` copies of `source`, each copy's ids moved up by its own offset."""
    for path in sorted(source.glob("*.xml")):
        lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        rows = [line for line in lines if line.lstrip().startswith("<row ")]
        head = [line for line in lines if not line.lstrip().startswith("<row ")]
        closing = head.pop()  # the root element's end tag, after the rows
        names = _ID_ATTRIBUTES.get(path.name)
        with (target / path.name).open("w", encoding="utf-8") as out:
            out.writelines(head)
            for copy in range(copies if names else 1):
                if not names or copy == 0:
                    out.writelines(rows)
                    continue
                pattern = re.compile(rf'\b({"|".join(names)})="(-?\d+)"')
                guid = re.compile(r'\bRevisionGUID="([^"]*)"')

                def moved(match: re.Match, offset: int = copy * _COPY_OFFSET) -> str:
                    return f'{match.group(1)}="{int(match.group(2)) + offset}"'

                def renamed(match: re.Match, suffix: int = copy) -> str:
                    return f'RevisionGUID="{match.group(1)}-{suffix}"'

                out.writelines(guid.sub(renamed, pattern.sub(moved, row)) for row in rows)
            out.write(closing)


def _cpu_now() -> tuple[float, float, float | None]:
    """CPU seconds so far: (this process with its readers, its readers alone, the local PostgreSQL server).

    Read from /proc in one pass (Linux). The readers are this process's
    children, live (their /proc entries) or ended (RUSAGE_CHILDREN). The
    server is every postgres process's own time plus the postmaster's
    children's time, which keeps what backends that have exited (closed
    connections) spent; None if no server process is seen here.
    """
    tick, me = os.sysconf("SC_CLK_TCK"), str(os.getpid())
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    readers, server, seen = ended.ru_utime + ended.ru_stime, 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        # Fields from the third (state): the parent's pid is the 2nd; utime, stime, cutime, cstime the 12th to 15th.
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        if fields[1] == me:
            readers += (utime + stime) / tick
        elif name in {"postgres", "postmaster"}:
            seen = True
            server += utime + stime + cutime + cstime
    return time.process_time() + readers, readers, server / tick if seen else None


def _cpu_since(started: tuple[float, float, float | None]) -> tuple[float, float, float | None]:
    """_cpu_now() minus `started`, item by item (the server's None if either is None)."""
    now = _cpu_now()
    server = None if started[2] is None or now[2] is None else now[2] - started[2]
    return now[0] - started[0], now[1] - started[1], server


def _load() -> str:
    # The machine may be shared: a busy one makes every number here slower.
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def _cleanup(prefix: str) -> None:
    from taggit.models import TaggedItem

    from accounts.models import User
    from community.models import Comment, Post, Revision, Space, Thread, ThreadLink, Vote
    from rewards.models import BadgeAward

    threads = Thread.objects.filter(source__startswith=prefix)
    TaggedItem.objects.filter(content_type__model="thread", object_id__in=threads.values("pk")).delete()
    threads.update(accepted_answer=None, duplicate_of=None)
    for model in (Vote, Comment, BadgeAward, ThreadLink):
        model.objects.filter(source__startswith=prefix).delete()
    Revision.objects.filter(post__source__startswith=prefix).delete()
    Post.objects.filter(source__startswith=prefix).delete()
    threads.delete()
    User.objects.filter(source__startswith=prefix).delete()
    Space.objects.filter(slug__startswith=prefix.removeprefix("stackexchange:")).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="how many times to import the dump (default 3)")
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP, help="a site's unpacked dump directory")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the imported rows")
    parser.add_argument(
        "--scale", type=int, default=0, help="import once a dump of this many renumbered copies (instead of --repeat)"
    )
    args = parser.parse_args()
    if not (args.dump / "Posts.xml").is_file():
        sys.exit(f"No Posts.xml in {args.dump}; pass --dump")
    scratch = None
    if args.scale > 0:
        scratch = Path(tempfile.mkdtemp(prefix="scaled-dump-"))
        scaled = scratch / args.dump.name
        scaled.mkdir()
        started = time.perf_counter()
        _scaled_dump(args.dump, args.scale, scaled)
        print(f"wrote {args.scale} copies of {args.dump.name} in {time.perf_counter() - started:.1f} s (not timed)")
        args.dump, args.repeat = scaled, 1

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # Under DEBUG every query's SQL is formatted and kept: slower, and more memory.
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.db import connection

    from community.importers.progress import Progress
    from community.importers.stackexchange import StackExchangeImporter

    class MeteredProgress(Progress):
        """Progress that also keeps each step's CPU seconds: this process's, and the local server's."""

        def __init__(self) -> None:
            super().__init__()
            self.cpu: dict[str, tuple[float, float, float | None]] = {}

        def start(self, label: str, total_bytes: int) -> None:
            self._cpu_started = _cpu_now()
            super().start(label, total_bytes)

        def finish(self, note: str = "") -> None:
            super().finish(note)
            self.cpu[self.label] = _cpu_since(self._cpu_started)

    def describe(stages: dict[str, list]) -> str:
        """'label wall s (CPU: Python p, server s)' for each step."""
        parts = []
        for label, (seconds, python, readers, server) in stages.items():
            if python is None:  # a step that ran alongside others: its CPU is in theirs
                parts.append(f"{label} {seconds:.1f} s (alongside)")
                continue
            cpu = f"Python {python:.1f}" + (f" of which readers {readers:.1f}" if readers else "")
            cpu += "" if server is None else f", server {server:.1f}"
            parts.append(f"{label} {seconds:.1f} s ({cpu})")
        return ", ".join(parts)

    if connection.vendor != "postgresql":
        print(f"warning: measuring on {connection.vendor}; the goal is for PostgreSQL", file=sys.stderr)
    print(f"load average before: {_load()}")
    run = uuid.uuid4().hex[:6]
    prefix = f"stackexchange:bench-{run}-"
    total_posts = 0
    posts_stage_seconds = 0.0
    stage_totals: dict[str, list] = {}  # label -> [wall, Python CPU, readers' CPU, server CPU or None] over the rounds
    started = time.perf_counter()
    cpu_started = _cpu_now()
    try:
        for k in range(args.repeat):
            site = f"bench-{run}-{k}.{args.dump.name}"
            round_started, round_cpu = time.perf_counter(), _cpu_now()
            progress = MeteredProgress()
            summary = StackExchangeImporter(
                args.dump, site=site, space_slug=f"bench-{run}-{k}", batch_size=args.batch_size, progress=progress
            ).run()
            wall = time.perf_counter() - round_started
            posts = summary.questions + summary.answers
            total_posts += posts
            posts_stage = sum(seconds for label, _, seconds in progress.finished if label in POSTS_STAGE)
            posts_stage_seconds += posts_stage
            stages: dict[str, list] = {}
            for label, _, seconds in progress.finished:
                cpu = progress.cpu.get(label, (None, None, None))
                stages[label] = [seconds, *cpu]
                total = stage_totals.setdefault(label, [0.0, 0.0, 0.0, 0.0])
                total[0] += seconds
                for i, value in enumerate(cpu, start=1):
                    total[i] = None if value is None or total[i] is None else total[i] + value
            print(
                f"round {k + 1}/{args.repeat}: {posts:,} posts, {summary.comments:,} comments, "
                f"{summary.members:,} members in {wall:.1f} s ({_cpu_since(round_cpu)[0]:.1f} s CPU): "
                f"{posts / wall:,.0f} posts/s overall, {posts / posts_stage:,.0f} posts/s in the posts stage; "
                f"peak memory {_peak_rss_mb():.0f} MB\n    {describe(stages)}"
            )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch)
        wall = time.perf_counter() - started
        cpu, readers, server_cpu = _cpu_since(cpu_started)
        server = "" if server_cpu is None else f", server {server_cpu:.1f} s"
        print(
            f"total: {total_posts:,} posts in {wall:.1f} s (CPU: this process and its readers {cpu:.1f} s, of which readers {readers:.1f} s{server}): "
            f"{total_posts / wall:,.0f} posts/s overall (every stage), "
            f"{total_posts / max(posts_stage_seconds, 1e-9):,.0f} posts/s in the posts stage; "
            f"peak memory {_peak_rss_mb():.0f} MB, its largest reader {_peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB ({connection.vendor}); load average after: {_load()}"
        )
        print("    " + describe(stage_totals))
        if args.keep:
            from accounts.models import User
            from community.models import Comment, Post, Thread

            print(
                f"the database now holds {Thread.objects.count():,} threads, {Post.objects.count():,} posts, "
                f"{Comment.objects.count():,} comments, {User.objects.count():,} members"
            )
        else:
            from django.db import DatabaseError

            try:
                _cleanup(prefix)
            except DatabaseError as exc:  # e.g. a model whose migration this database lacks
                print(f"could not delete the rows of sources {prefix}*: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
