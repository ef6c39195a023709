"""Measure server time of the main pages on PostgreSQL: p50, p99 and mean, as a multiple of a trivial view.

    DATABASE_URL=postgres://USER@HOST:5432/DBNAME .venv/bin/python bench/pages_bench.py
    DATABASE_URL=... .venv/bin/python bench/pages_bench.py --persona member --markdown
    DATABASE_URL=... .venv/bin/python bench/pages_bench.py --only thread --only search --markdown
    DATABASE_URL=... .venv/bin/python bench/pages_bench.py --profile "thread (largest)" --repeat 30

Run it against a database that already holds a large corpus, indexed for
search, with fresh planner statistics: for instance
bench/import_throughput.py --repeat 40 --keep (about 100,000 posts), then
manage.py rebuild_search_index, then vacuumdb --analyze (autovacuum does this
in production; on a server where it is off, nothing does). It warns about
tables never analyzed. It only reads, except that it creates once a member to
sign in as ("bench-reader") and a thread with --big-thread answers copied from
imported ones; page views are counted in the cache as in production.

Every request goes through Django's test client in this process: the whole
middleware stack, the view, the queries against the real database and the
templates, without a network or an application server in between. That is
server time, for one client at a time. Settings: config.settings.dev with
DEBUG=false (production's middleware and templates; static files served by
the finders rather than a collected manifest), unless DJANGO_SETTINGS_MODULE
says otherwise. The cache is a file cache in a fresh temporary folder, as a
deployment without REDIS_URL has; set REDIS_URL yourself to measure Redis.

Pages, each warmed up first and then requested --repeat times, as an
anonymous visitor or a signed-in member (--persona anonymous, the default,
member, or both; one persona takes about five minutes). Visitors get list and
thread pages from the page cache once warmed up; --render turns that cache
off, so every visitor's page is rendered (persona "anonymous, rendered"):

- /healthz, a trivial view: the baseline, timed before and after the others;
- the home page; /threads/; /questions/?sort=top; the largest space's page;
  the page of the most used tag;
- a typical thread: --threads random threads with answers, cycled;
- the imported thread with the most answers; a thread with --big-thread
  answers (default 50, one full page), made from copies of imported ones;
- a typical thread again, each request from a new address, so each is a
  first view that the view counter records (anonymous only);
- search: a rare word, common words (each matching a large share of the
  corpus), several words, a phrase, a word nothing matches (the page's own
  cost). How many threads each matches is shown.

It prints, per page and persona: how many requests were timed (--repeat,
or fewer when a slow page reaches --page-seconds, which keeps the run near
five minutes per persona), queries per request, SQL milliseconds per request
(timed in a separate pass), p50, p99 and mean in milliseconds, and
p50 as a multiple of the baseline's p50, measured in the same run: absolute
times on a shared machine drift, ratios much less. --profile LABEL runs one
page under cProfile and prints where its time goes. Results go in
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import io
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
MEMBER_USERNAME = "bench-reader"
COMMON_WORDS = ["cardano", "wallet", "transaction"]


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Page:
    label: str
    urls: list[str]
    note: str = ""
    # Each request from a different address: the first view of a thread by someone, which the
    # view counter records (a cache write), rather than a reload it ignores.
    new_visitor: bool = False


@dataclass
class Result:
    page: Page
    persona: str
    samples: list[float] = field(default_factory=list)
    queries: float = 0.0
    sql_ms: float = 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)


def _configure_environment() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query and renders differently
    hosts = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1")
    if "testserver" not in hosts.split(","):
        os.environ["ALLOWED_HOSTS"] = hosts + ",testserver"
    if "RAPPORT_DATA_DIR" not in os.environ:
        # A private, empty file cache (and generated secret key): nothing left by a dev server is read.
        folder = tempfile.mkdtemp(prefix="rapport-bench-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["RAPPORT_DATA_DIR"] = folder


def _search_words(cursor) -> dict[str, tuple[str, int]]:
    """label -> (query, threads matching it), for a rare word and the fixed common and multi-word queries."""
    # A rare word: a plain word held by exactly one thread in a sample of the index (so by the
    # fewest in the whole corpus, which imports the same dump several times).
    cursor.execute(
        "SELECT word FROM ts_stat('SELECT search_document FROM community_thread"
        " WHERE search_document IS NOT NULL ORDER BY id LIMIT 2000')"
        " WHERE ndoc = 1 AND length(word) BETWEEN 7 AND 12 AND word ~ '^[a-z]+$' ORDER BY word LIMIT 1"
    )
    row = cursor.fetchone()
    rare = row[0] if row else "zzyzxqv"
    queries = {
        "search: rare word": rare,
        **{f"search: common word ({word})": word for word in COMMON_WORDS},
        "search: two words": "stake pool",
        "search: three words": "wallet transaction fee",
        "search: phrase": '"stake pool"',
        "search: no match": "zzyzxqv",  # the page's own cost: form, layout, no results
    }
    counted = {}
    for label, text in queries.items():
        cursor.execute(
            "SELECT count(*) FROM community_thread WHERE search_document @@ websearch_to_tsquery('english', %s)",
            [text],
        )
        counted[label] = (text, cursor.fetchone()[0])
    return counted


BIG_THREAD_SOURCE = "bench:many-answers"


def big_thread_ensure(answers: int) -> tuple[int, str]:
    """(id, slug) of a thread with `answers` answers, made once from copies of imported posts.

    Imported dumps rarely hold a thread with more than a handful of answers;
    a thread page shows up to 50 per page. The copy lives in the space of the
    thread with the most answers, keyed on its own source, so later runs reuse it.
    """
    from django.db import transaction

    from community.models import Comment, Post, PostKind, Thread
    from community.services.counters import thread_counters_recompute

    existing = Thread.objects.filter(source=BIG_THREAD_SOURCE, source_id=answers).values("pk", "slug").first()
    if existing:
        return existing["pk"], existing["slug"]
    model = Thread.objects.filter(deleted_at__isnull=True).order_by("-answer_count", "pk").first()
    opening = Post.objects.get(thread=model, kind=PostKind.OPENING)
    # Answers picked at random (always the same ones), so their comments come in the corpus's proportion.
    answer_ids = list(
        Post.objects.filter(kind=PostKind.ANSWER, deleted_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    picked = random.Random(answers).sample(answer_ids, min(answers, len(answer_ids)))
    sources = list(Post.objects.filter(pk__in=picked).order_by("created_at", "pk"))
    with transaction.atomic():
        thread = Thread.objects.create(
            space_id=model.space_id,
            kind=model.kind,
            title=f"{model.title} ({answers} answers)"[:300],
            slug=model.slug,
            author_id=model.author_id,
            created_at=model.created_at,
            last_activity_at=model.created_at,  # old: it stays off the first page of the lists
            source=BIG_THREAD_SOURCE,
            source_id=answers,
        )
        thread.tags.set(list(model.tags.names()))
        copies = [
            Post(
                thread=thread,
                kind=PostKind.OPENING if source is opening else PostKind.ANSWER,
                author_id=source.author_id,
                body=source.body,
                body_format=source.body_format,
                body_html=source.body_html,
                score=source.score,
                created_at=source.created_at,
                edited_at=None if source is opening else source.edited_at,
            )
            for source in [opening, *sources]
        ]
        Post.objects.bulk_create(copies)
        by_source = {a.pk: copy.pk for a, copy in zip([opening, *sources], copies, strict=True)}
        Comment.objects.bulk_create(
            Comment(
                post_id=by_source[c.post_id],
                author_id=c.author_id,
                body=c.body,
                body_html=c.body_html,
                score=c.score,
                created_at=c.created_at,
            )
            for c in Comment.objects.filter(post_id__in=by_source, deleted_at__isnull=True)
        )
        thread_counters_recompute(thread_ids=[thread.pk])
    return thread.pk, thread.slug


def stale_statistics() -> list[str]:
    """Tables the planner has no statistics for (never analyzed): plans on them are guesses."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL"
            " AND relname IN ('community_thread', 'community_post', 'community_comment', 'community_space',"
            " 'taggit_tag', 'taggit_taggeditem', 'accounts_user', 'accounts_profile') ORDER BY relname"
        )
        return [row[0] for row in cursor.fetchall()]


def build_pages(args) -> tuple[list[Page], dict[str, str]]:
    """The pages to time, chosen from the data; and facts about the corpus for the header."""
    from django.db import connection
    from django.db.models import Count
    from taggit.models import Tag

    from accounts.models import User
    from community.models import Comment, Post, Space, Thread, Visibility

    # The imported threads, not the copy big_thread_ensure makes.
    public = Thread.objects.filter(deleted_at__isnull=True, space__visibility=Visibility.PUBLIC).exclude(
        source=BIG_THREAD_SOURCE
    )
    total_threads = Thread.objects.count()
    facts = {
        "threads": f"{total_threads:,}",
        "posts": f"{Post.objects.count():,}",
        "comments": f"{Comment.objects.count():,}",
        "members": f"{User.objects.count():,}",
        "spaces": f"{Space.objects.count():,}",
    }
    answered = list(public.filter(answer_count__gt=0).order_by("pk").values_list("pk", "slug"))
    if not answered:
        sys.exit("No thread with answers: import a dump first (see the docstring).")
    rng = random.Random(args.seed)
    typical = rng.sample(answered, min(args.threads, len(answered)))
    largest = public.order_by("-answer_count", "pk").values("pk", "slug", "answer_count").first()
    space = (
        Space.objects.filter(visibility=Visibility.PUBLIC)
        .annotate(n=Count("threads"))
        .order_by("-n", "pk")
        .values("slug", "n")
        .first()
    )
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n", "pk").values("name", "n").first()
    if args.big_thread:
        big_id, big_slug = big_thread_ensure(args.big_thread)
    facts["typical threads"] = f"{len(typical)} random threads with answers (seed {args.seed})"
    facts["largest thread"] = f"{largest['answer_count']} answers (thread {largest['pk']})"
    facts["space"] = f"/s/{space['slug']}/ ({space['n']:,} threads)"
    facts["tag"] = f"/tags/{tag['name']}/ ({tag['n']:,} threads)"

    def thread_url(pk: int, slug: str) -> str:
        return f"/t/{pk}/{quote(slug or 'thread')}/"

    pages = [
        Page("home", ["/"]),
        Page("list: /threads/", ["/threads/"]),
        Page("list: /questions/?sort=top", ["/questions/?sort=top"]),
        Page("list: space", [f"/s/{space['slug']}/"], f"{space['n']:,} threads"),
        Page("list: tag", [f"/tags/{quote(tag['name'])}/"], f"{tag['n']:,} threads"),
        Page("thread (typical)", [thread_url(pk, slug) for pk, slug in typical], f"{len(typical)} threads cycled"),
        Page(
            "thread (largest)",
            [thread_url(largest["pk"], largest["slug"])],
            f"{largest['answer_count']} answers",
        ),
        Page(
            "thread (typical), new visitor",
            [thread_url(pk, slug) for pk, slug in typical],
            "each request from another address: the view is counted",
            new_visitor=True,
        ),
    ]
    if args.big_thread:
        pages.insert(
            7,
            Page(
                f"thread ({args.big_thread} answers)",
                [thread_url(big_id, big_slug)],
                f"copies of imported answers and their comments (thread {big_id})",
            ),
        )
    if args.search:
        searches = {f"search: {text}": (text, None) for text in args.search}
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM community_thread WHERE search_document IS NOT NULL")
            indexed = cursor.fetchone()[0]
            facts["indexed for search"] = f"{indexed:,}"
            if not indexed:
                sys.exit("The search index is empty: run manage.py rebuild_search_index first.")
            searches = _search_words(cursor)
    for label, (text, matches) in searches.items():
        share = (
            f"matches {matches:,} threads ({100 * matches / max(total_threads, 1):.0f}%)" if matches is not None else ""
        )
        pages.append(Page(label, ["/search/?" + urlencode({"q": text})], f"q={text}; {share}".rstrip("; ")))
    if args.only:
        pages = [page for page in pages if any(word in page.label for word in args.only)]
    return pages, facts


def member_client():
    from django.test import Client

    from accounts.models import User

    member, _created = User.objects.get_or_create(
        username=MEMBER_USERNAME, defaults={"email": "bench-reader@example.com"}
    )
    client = Client()
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    return client


_visitors = iter(range(1, 1 << 24))


def _get(client, url: str, *, new_visitor: bool = False) -> None:
    extra = {}
    if new_visitor:
        n = next(_visitors)
        extra["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    response = client.get(url, **extra)
    if response.status_code != 200:
        sys.exit(f"GET {url} answered {response.status_code}; expected 200")


def timed(client, page: Page, *, warmup: int, repeat: int, seconds: float = math.inf) -> list[float]:
    """Milliseconds of `repeat` requests, or fewer if they take more than `seconds` (at least 50)."""
    urls = page.urls
    # Every URL at least once: first views of a thread write to the view counter, later ones do not.
    for i in range(max(warmup, len(urls))):
        _get(client, urls[i % len(urls)], new_visitor=page.new_visitor)
    samples: list[float] = []
    deadline = time.perf_counter() + seconds
    for i in range(repeat):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        _get(client, url, new_visitor=page.new_visitor)
        samples.append((time.perf_counter() - started) * 1000)
        if started > deadline and len(samples) >= 50:
            break
    return samples


def sql_cost(client, page: Page, passes: int) -> tuple[float, float]:
    """(queries, SQL milliseconds) per request, averaged over `passes` requests."""
    from django.db import connection

    state = {"n": 0, "seconds": 0.0}

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            state["n"] += 1
            state["seconds"] += time.perf_counter() - started

    with connection.execute_wrapper(wrapper):
        for i in range(passes):
            _get(client, page.urls[i % len(page.urls)], new_visitor=page.new_visitor)
    return state["n"] / passes, state["seconds"] * 1000 / passes


def query_breakdown(client, page: Page) -> None:
    """Each query of one request with its time: which ones dominate."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, page.urls[0])
    print(f"{len(captured.captured_queries)} queries for {page.urls[0]}:")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {' '.join(query['sql'].split())[:160]}")
    print()


def profile(client, page: Page, repeat: int, top: int) -> None:
    """cProfile over `repeat` requests: the heaviest functions, and the template work per request."""
    for url in page.urls:
        _get(client, url)
    query_breakdown(client, page)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(repeat):
        _get(client, page.urls[i % len(page.urls)])
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(out.getvalue())
    # What the Speed notes in CONVENTIONS.md count: per request.
    watched = {
        ("base.py", "_resolve_lookup"): "template variable lookups",
        ("base.py", "render_annotated"): "template nodes rendered",
        ("base.py", "resolve"): "FilterExpression.resolve (variables and filters)",
        ("base.py", "reverse"): "URL reversals (django.urls.reverse)",
        ("dateformat.py", "format"): "date formats (dateformat.format)",
        ("formats.py", "localize"): "localize() calls",
        ("__init__.py", "gettext"): "gettext() calls",
    }
    counts: dict[str, int] = {}
    for (filename, _line, name), (_cc, calls, _tt, _ct, _callers) in stats.stats.items():
        for (suffix, function), label in watched.items():
            if name == function and filename.endswith(suffix) and "django" in filename:
                counts[label] = counts.get(label, 0) + calls
    print(f"Per request of {page.label!r}:")
    for label, calls in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {calls / repeat:>9,.0f}  {label}")


def _load() -> str:
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page and persona (default 200)")
    parser.add_argument(
        "--page-seconds",
        type=float,
        default=20,
        help="stop timing a page after this long, once it has 50 samples (default 20; keeps the run bounded)",
    )
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (default 20)")
    parser.add_argument("--threads", type=int, default=50, help="typical threads to cycle through (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="picks the typical threads (default 1)")
    parser.add_argument(
        "--persona",
        choices=["anonymous", "member", "both"],
        default="anonymous",
        help="who asks (default anonymous; both takes twice as long)",
    )
    parser.add_argument("--only", action="append", help="time only pages whose label contains this (repeatable)")
    parser.add_argument("--search", action="append", help="search for this instead of the default mix (repeatable)")
    parser.add_argument(
        "--big-thread",
        type=int,
        default=50,
        metavar="N",
        help="also time a thread with N answers, created once from copies (default 50; 0: none)",
    )
    parser.add_argument("--sql-passes", type=int, default=20, help="requests per page to count SQL (default 20)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown too")
    parser.add_argument(
        "--render",
        action="store_true",
        help="turn the visitors' page cache off: time rendering, not cache hits",
    )
    parser.add_argument("--profile", metavar="LABEL", help="profile the page of this exact label instead of timing")
    parser.add_argument("--top", type=int, default=30, help="functions shown by --profile (default 30)")
    args = parser.parse_args()

    _configure_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        sys.exit(f"This measures PostgreSQL; DATABASE_URL points at {connection.vendor}.")
    if settings.DEBUG:
        print("warning: DEBUG is on; times are not production-like", file=sys.stderr)

    stale = stale_statistics()
    if stale:
        print(
            "warning: never analyzed, so the planner guesses: " + ", ".join(stale) + ". Run ANALYZE"
            " (vacuumdb --analyze-only) unless that state is what you mean to measure.",
            file=sys.stderr,
        )
    pages, facts = build_pages(args)
    clients: dict[str, Callable[[], object]] = {}
    if args.render:
        from community.views import cache as page_cache

        page_cache._cacheable = lambda request: False
    if args.persona in ("anonymous", "both"):
        clients["anonymous, rendered" if args.render else "anonymous"] = Client()
    if args.persona in ("member", "both"):
        clients["member"] = member_client()

    if args.profile:
        page = next((p for p in pages if p.label == args.profile), None)
        if page is None:
            sys.exit(f"No page labelled {args.profile!r}; labels: " + ", ".join(repr(p.label) for p in pages))
        for persona, client in clients.items():
            print(f"=== {page.label} as {persona}, {args.repeat} requests ===")
            profile(client, page, args.repeat, args.top)
        return

    cache = settings.CACHES["default"]
    print(f"settings {os.environ['DJANGO_SETTINGS_MODULE']}, DEBUG={settings.DEBUG}, cache {cache['BACKEND']}")
    for name, value in facts.items():
        print(f"{name}: {value}")
    if stale:
        print(f"never analyzed: {', '.join(stale)}")
    print(f"load average before: {_load()}\n")

    started = time.perf_counter()
    baseline = Page("baseline: /healthz", ["/healthz"])
    results: list[Result] = []
    base_samples: list[float] = []
    anonymous = next((c for p, c in clients.items() if p.startswith("anonymous")), None) or Client()
    base_samples += timed(anonymous, baseline, warmup=args.warmup * 5, repeat=args.repeat)
    for page in pages:
        for persona, client in clients.items():
            if page.new_visitor and not persona.startswith("anonymous"):
                continue  # a member is counted once per thread whatever the address
            result = Result(page, persona)
            result.samples = timed(client, page, warmup=args.warmup, repeat=args.repeat, seconds=args.page_seconds)
            result.queries, result.sql_ms = sql_cost(client, page, args.sql_passes)
            results.append(result)
            print(f"  {page.label} ({persona}): p50 {result.p50:.1f} ms", file=sys.stderr)
    base_samples += timed(anonymous, baseline, warmup=args.warmup, repeat=args.repeat)
    base = Result(baseline, "anonymous", base_samples, *sql_cost(anonymous, baseline, args.sql_passes))
    base_p50 = base.p50
    results.insert(0, base)

    rows = [
        (
            r.page.label,
            r.persona,
            f"{len(r.samples)}",
            f"{r.queries:.0f}",
            f"{r.sql_ms:.1f}",
            f"{r.p50:.1f}",
            f"{percentile(r.samples, 0.99):.1f}",
            f"{statistics.fmean(r.samples):.1f}",
            f"{r.p50 / base_p50:.0f}",
        )
        for r in results
    ]
    header = ("page", "persona", "n", "queries", "SQL ms", "p50 ms", "p99 ms", "mean ms", "p50 x base")
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header))]
    line = "  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    notes = [f"{p.label}: {p.note}" for p in pages if p.note]
    print("\n" + "\n".join(notes))
    print(
        f"\nbaseline p50 {base_p50:.2f} ms (first half {statistics.median(base_samples[: args.repeat]):.2f},"
        f" second half {statistics.median(base_samples[args.repeat :]):.2f}); {time.perf_counter() - started:.0f} s;"
        f" load average after: {_load()}"
    )
    if args.markdown:
        print("\n| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
