"""Measure search on PostgreSQL: p50 and p99 of the search selector and of the search page.

    DATABASE_URL=postgres://USER@HOST:5432/DBNAME .venv/bin/python bench/search_bench.py
    DATABASE_URL=... .venv/bin/python bench/search_bench.py --repeat 50 --query "stake pool" --query wallet

Run it against a database that already holds a corpus, indexed: import one or
more Stack Exchange dumps (manage.py import_stackexchange DIR), then
manage.py rebuild_search_index. It only reads, as an anonymous visitor.

The queries, unless --query is given: the three most common words of the
index (each matching a large share of the corpus: the case where ranking must
stay bounded), two words of middling frequency, a rare one, a phrase, an OR, an
exclusion, filters (questions, unsolved), the newest order, page 5, and a word
nothing matches. Common words are read from the index itself (ts_stat over a
sample of about 2,000 threads, the same sample on every run over the same data).

For each query it prints how many threads matched (counted only up to 1,001:
that bound is what keeps the cost flat; "+" when more may match), then p50 and
p99 in milliseconds of `search_threads` (ranked threads, tags and snippets: the
page's SQL and Python) and of the whole /search/ page through Django's test
client, and the page's p50 as a multiple of a trivial view (/healthz) timed in
the same run: absolute times on a shared machine drift, ratios much less. It
prints the load average before and after. Results go in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ROWS = 2000


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm: plans, caches, the first connection
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def common_words(cursor, total: int) -> list[tuple[str, int]]:
    """(lexeme, threads in the sample holding it), most common first, from a sample of the index."""
    percent = min(100.0, 100.0 * SAMPLE_ROWS / max(total, 1))
    # REPEATABLE: the same sample, so the same words, from one run to the next on the same data.
    sample = f"SELECT search_document FROM community_thread TABLESAMPLE SYSTEM ({percent:.4f}) REPEATABLE (1)"  # noqa: S608 - a number
    cursor.execute(
        "SELECT word, ndoc FROM ts_stat(%s) WHERE length(word) > 3 AND word ~ '^[a-z]+$' ORDER BY ndoc DESC, word",
        [sample + " WHERE search_document IS NOT NULL"],
    )
    return cursor.fetchall()


def default_queries(cursor, total: int) -> list[tuple[str, dict]]:
    from community.search.query import STOPWORDS

    # Words the search box drops (its stop words) would time nothing.
    words = [(word, n) for word, n in common_words(cursor, total) if word not in STOPWORDS]
    if len(words) < 10:
        sys.exit("The index looks empty: import some content and run manage.py rebuild_search_index first.")
    sampled = max(words[0][1], 1)
    middling = [w for w, n in words if n <= sampled * 0.1][:2]
    rare = [w for w, n in words if n <= 2][:1] or [words[-1][0]]
    top = [w for w, _n in words[:3]]
    return [
        *((word, {}) for word in top),
        *((word, {}) for word in middling),
        (rare[0], {}),
        (f'"{top[0]} {top[1]}"', {}),
        (f"{middling[0]} OR {rare[0]}", {}),
        (f"{top[0]} -{top[1]}", {}),
        (top[0], {"kind": "question", "solved": "unsolved"}),
        (top[0], {"sort": "newest"}),
        (top[0], {"page": "5"}),
        ("zzyzxqv", {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per query (default 30)")
    parser.add_argument("--query", action="append", help="a query to time (repeatable); default: a mix")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query in memory
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import Client

    from community.models import Thread
    from community.search.forms import SearchForm
    from community.search.selectors import search_space_choices, search_threads

    if connection.vendor != "postgresql":
        sys.exit(f"This measures PostgreSQL; DATABASE_URL points at {connection.vendor}.")
    total = Thread.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM community_thread WHERE search_document IS NOT NULL")
        indexed = cursor.fetchone()[0]
        queries = [(q, {}) for q in args.query] if args.query else default_queries(cursor, indexed)
    load = " ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"{total:,} threads, {indexed:,} indexed; {args.repeat} timed runs each; load average {load}\n")

    client = Client(HTTP_HOST="localhost")
    anonymous = AnonymousUser()
    spaces = search_space_choices(user=anonymous)
    baseline = timed(lambda: client.get("/healthz"), args.repeat * 3)
    base_p50 = statistics.median(baseline)

    header = f"{'query':<36} {'matches':>8} {'select p50':>10} {'p99':>7} {'page p50':>9} {'p99':>7} {'x trivial':>9}"
    print(header)
    print("-" * len(header))
    for text, params in queries:
        form = SearchForm({"q": text, **params}, spaces=spaces)
        form.is_valid()
        page = int(params.get("page", 1))

        def select(form=form, text=text, page=page):
            return search_threads(user=anonymous, query=text, filters=form.filters(), order=form.order(), page=page)

        results = select()
        matches = f"{results.shown_total:,}" + ("+" if results.more_than_shown or not results.exact else "")
        selector = timed(select, args.repeat)
        url = "/search/?" + urlencode({"q": text, **params})
        whole = timed(lambda url=url: client.get(url), args.repeat)
        label = text + (f" [{urlencode(params)}]" if params else "")
        print(
            f"{label[:36]:<36} {matches:>8} {statistics.median(selector):>10.1f} {percentile(selector, 0.99):>7.1f}"
            f" {statistics.median(whole):>9.1f} {percentile(whole, 0.99):>7.1f} {statistics.median(whole) / base_p50:>9.0f}"
        )
    print(f"\ntrivial view (/healthz): p50 {base_p50:.2f} ms, p99 {percentile(baseline, 0.99):.2f} ms")
    print("load average after: " + " ".join(f"{n:.1f}" for n in os.getloadavg()))


if __name__ == "__main__":
    main()
