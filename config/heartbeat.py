"""The workers' heartbeat: a task records when a worker last ran, /readyz reports it.

A module of its own so that the Celery app (which runs the task) and the
health views (which read the result) both import it, and not each other.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "rapport:heartbeat:{queue}"
QUEUES = ("interactive", "mining")


def heartbeat_record(*, queue: str) -> None:
    cache.set(HEARTBEAT_KEY.format(queue=queue), timezone.now().isoformat(), timeout=24 * 60 * 60)


def heartbeats() -> dict[str, str | None]:
    values = cache.get_many([HEARTBEAT_KEY.format(queue=q) for q in QUEUES])
    return {q: values.get(HEARTBEAT_KEY.format(queue=q)) for q in QUEUES}
