"""Liveness and readiness probes, and the worker heartbeat they report.

/healthz answers while the process can serve a request. /readyz checks each
dependency (database, cache, broker) and answers 503 when one is down, so a
load balancer stops sending traffic to an instance that cannot serve it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery import app as celery_app
from config.heartbeat import heartbeats


def get_connection():
    """The database connection readiness is checked against (a seam for tests)."""
    return connections[DEFAULT_DB_ALIAS]


def check_database() -> None:
    with get_connection().cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = "rapport:readyz"
    token = str(time.monotonic_ns())
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise RuntimeError("cache did not return the value just written")


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the body says which
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            results[name] = {"ok": True}
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(r["ok"] for r in results.values())
    try:
        workers = heartbeats()
    except Exception:  # noqa: BLE001 - the cache check above already reports this
        workers = {}
    body = {"status": "ok" if ready else "unavailable", "checks": results, "worker_heartbeats": workers}
    return JsonResponse(body, status=200 if ready else 503)
