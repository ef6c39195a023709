"""`make run`'s server: Django's development server and a Celery worker with beat, stopped together.

Each child runs in its own process group, so Ctrl-C reaches only this
supervisor, which then stops both groups in order: a polite SIGTERM, then
SIGKILL for whatever is still there after a grace period (a worker with
embedded beat can hang in warm shutdown).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

GRACE_SECONDS = 8


class Command(BaseCommand):
    help = "Run the development web server and a Celery worker (with beat); Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="address:port to serve on")

    def handle(self, *args, addrport: str, **options) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        worker = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--beat",
            "--queues", "interactive,mining", "--concurrency", "2", "--loglevel", "INFO",
            "--schedule", str(settings.DATA_DIR / "celerybeat-schedule"),
        ]  # fmt: skip
        web = [sys.executable, "manage.py", "runserver", addrport]
        children = [subprocess.Popen(command, start_new_session=True) for command in (worker, web)]  # noqa: S603
        stop = False

        def request_stop(signum, frame) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"Serving http://{addrport}/ with a background worker. Ctrl-C stops both.")
        while not stop and all(child.poll() is None for child in children):
            time.sleep(0.3)
        self._stop(children)
        if not stop:
            raise SystemExit("A process stopped unexpectedly; stopped the others too.")

    def _stop(self, children: list[subprocess.Popen]) -> None:
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
        for child in children:
            # Also reaps grandchildren (the autoreloader's server, the worker's pool).
            _signal_group(child, signal.SIGKILL)
            child.wait()
        self.stdout.write("Stopped.")


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
