"""Members' pages over HTTP: a signed-in member's thread and list pages, against a trivial view in the same run.

    DATABASE_URL=postgres://USER@HOST:5432/SCRATCH_DB REDIS_URL=redis://HOST:PORT/DB \\
        .venv/bin/python bench/member_http.py [--rounds 3] [--repeat 100] [--answers 30]

Starts gunicorn (2 sync workers) on production settings (config.settings.prod
through bench/http_settings.py, which only adds the trivial view and a scratch
static root): DEBUG off, a generated SECRET_KEY, ALLOWED_HOSTS of the loopback,
SECURE_SSL_REDIRECT off because the requests come over plain HTTP on the
loopback, the cache and sessions in Redis. Static files are collected into a
temporary folder first.

The database must already hold an imported dump (manage.py
import_stackexchange, then vacuumdb --analyze). The script creates once a
member to sign in as ("bench-reader"), a staff editor ("bench-editor") and a
thread with --answers answers copied from imported ones (bench/pages_bench.py's
big_thread_ensure). Then, --rounds times, it requests in turn, one request at
a time, --repeat times each:

- the trivial view (/bench/trivial): the baseline;
- the member's thread page with --answers answers;
- the member's list page (/threads/);
- the same thread page right after an edit of one of its answers (the edit
  is made in this process through the post_edit service and is not timed):
  the first view after an edit, when the thread's cached entries are stale.

Interleaving the four keeps them under the same load: the machine is shared,
so absolute times drift, ratios much less. It prints p50 and p99 per round and
over all rounds, each timed twice: at the client (a new connection per request,
as gunicorn's sync workers close it) and at the server (the application's own
time, from bench/http_timing.py's Server-Timing header); and each page's p50
as a multiple of the trivial view's p50 measured the same way.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITOR_USERNAME = "bench-editor"


def _environment(port: int) -> dict[str, str]:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"Set {name}: a scratch PostgreSQL database holding an imported dump, and a Redis of your own.")
    static_root = tempfile.mkdtemp(prefix="rapport-bench-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.http_settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "RAPPORT_BASE_URL": f"http://127.0.0.1:{port}",
        "BENCH_STATIC_ROOT": static_root,
    }
    os.environ.update(env)
    return env


def _prepare(answers: int) -> tuple[str, str, int, list[int]]:
    """(thread path, member's session cookie, editor id, answer ids) after making what is missing."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from bench.pages_bench import MEMBER_USERNAME, big_thread_ensure
    from community.models import Post, PostKind

    call_command("collectstatic", interactive=False, verbosity=0)
    thread_id, slug = big_thread_ensure(answers)
    member, _created = User.objects.get_or_create(
        username=MEMBER_USERNAME, defaults={"email": "bench-reader@example.com"}
    )
    editor, _created = User.objects.get_or_create(
        username=EDITOR_USERNAME, defaults={"email": "bench-editor@example.com", "is_staff": True}
    )
    client = Client()
    client.force_login(member, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    answer_ids = list(
        Post.objects.filter(thread_id=thread_id, kind=PostKind.ANSWER, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return f"/t/{thread_id}/{slug}/", cookie, editor.pk, answer_ids


def _edit(editor_id: int, post_id: int, n: int) -> None:
    from accounts.models import User
    from community.models import Post
    from community.services.posts import post_edit

    post = Post.objects.select_related("thread").get(pk=post_id)
    body = post.body.split("\n\n<!-- bench edit")[0]
    post_edit(post=post, editor=User.objects.get(pk=editor_id), body=f"{body}\n\n<!-- bench edit {n} -->")


def _get(port: int, path: str, cookie: str | None) -> tuple[float, float]:
    """(milliseconds at the client, at the server) for one GET on a new connection.

    gunicorn's sync workers close the connection after each response, so the
    client's time includes connecting; the server's (bench/http_timing.py) is
    the application's own work.
    """
    headers = {"Host": "127.0.0.1", "Accept": "text/html"}
    if cookie:
        headers["Cookie"] = cookie
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    if response.status != 200:
        sys.exit(f"GET {path} answered {response.status}: {body[:300]!r}")
    if cookie and b"sign out" not in body.lower() and b"logout" not in body.lower():
        sys.exit(f"GET {path} did not come back signed in")
    server = float(response.getheader("Server-Timing", "app;dur=0").partition("dur=")[2])
    return elapsed, server


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))]


def _wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped")
        try:
            _get(port, "/bench/trivial", None)
            return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn did not answer within a minute")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each timing every page (default 3)")
    parser.add_argument("--repeat", type=int, default=100, help="timed requests per page and round (default 100)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first (default 20)")
    parser.add_argument("--answers", type=int, default=30, help="answers on the thread (default 30)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    env = _environment(args.port)
    thread_path, cookie, editor_id, answer_ids = _prepare(args.answers)
    server = subprocess.Popen(  # noqa: S603 (a fixed command line)
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    edits = iter(range(1, 1 << 30))
    pages = {
        "trivial view": lambda: _get(args.port, "/bench/trivial", None),
        f"member: thread ({args.answers} answers)": lambda: _get(args.port, thread_path, cookie),
        "member: list (/threads/)": lambda: _get(args.port, "/threads/", cookie),
    }

    def after_edit() -> tuple[float, float]:
        n = next(edits)
        _edit(editor_id, answer_ids[n % len(answer_ids)], n)
        return _get(args.port, thread_path, cookie)

    pages["member: thread, first view after an edit"] = after_edit
    try:
        _wait_until_up(args.port, server)
        for _ in range(args.warmup):
            for run in pages.values():
                run()
        totals: dict[str, list[tuple[float, float]]] = {label: [] for label in pages}
        for round_number in range(1, args.rounds + 1):
            samples: dict[str, list[tuple[float, float]]] = {label: [] for label in pages}
            for _ in range(args.repeat):
                for label, run in pages.items():
                    samples[label].append(run())
            _report(f"round {round_number} (load {' '.join(f'{n:.1f}' for n in os.getloadavg())})", samples)
            for label, values in samples.items():
                totals[label] += values
        _report("all rounds", totals)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(env["BENCH_STATIC_ROOT"], ignore_errors=True)


def _report(title: str, samples: dict[str, list[tuple[float, float]]]) -> None:
    client = {label: [c for c, _s in values] for label, values in samples.items()}
    server = {label: [s for _c, s in values] for label, values in samples.items()}
    base_client = statistics.median(client["trivial view"])
    base_server = statistics.median(server["trivial view"])
    print(f"\n{title}")
    print("| page | n | client p50 ms | client p99 ms | ×trivial | server p50 ms | server p99 ms | ×trivial |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label in samples:
        c50, s50 = statistics.median(client[label]), statistics.median(server[label])
        print(
            f"| {label} | {len(client[label])} | {c50:.1f} | {percentile(client[label], 0.99):.1f} "
            f"| {c50 / base_client:.1f}× | {s50:.2f} | {percentile(server[label], 0.99):.2f} | {s50 / base_server:.0f}× |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
