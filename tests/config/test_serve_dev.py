"""`make run`'s supervisor on the embedded default: it serves, runs background work, and Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local URL we built
            return response.status, response.read()
    except OSError:
        return 0, b""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its parent to reap it is gone for our purposes.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" not in status.read_text()


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for child_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = child_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(child_file.parent.name)
            found |= {child} | _descendants(child)
    return found


def test_serve_dev_serves_runs_the_worker_and_stops_everything_on_ctrl_c(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", RAPPORT_DATA_DIR=str(tmp_path), DEBUG="true")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "serve_dev", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _get(f"http://127.0.0.1:{port}/healthz")[0] != 200:
            time.sleep(0.5)
        assert _get(f"http://127.0.0.1:{port}/")[0] == 200

        # Background work runs on the embedded default: a task sent through the
        # folder broker is picked up by the worker and shows in /readyz.
        subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); "
             "from config.celery import heartbeat; heartbeat.delay(queue='interactive')"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        heartbeat = None
        while time.monotonic() < deadline and heartbeat is None:
            status, body = _get(f"http://127.0.0.1:{port}/readyz")
            if status == 200:
                heartbeat = json.loads(body)["worker_heartbeats"]["interactive"]
            time.sleep(0.5)
        assert heartbeat, "the worker never ran the task"

        started = _descendants(supervisor.pid)
        assert len(started) >= 3  # worker (+ its pool) and the server (+ its reloader child)
        supervisor.send_signal(signal.SIGINT)
        supervisor.wait(timeout=30)
        time.sleep(0.5)
        assert [pid for pid in started if _alive(pid)] == []
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
