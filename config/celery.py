"""The Celery app. Periodic jobs are declared here, each with why it runs when it does."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

from config.heartbeat import heartbeat_record
from config.settings.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("rapport")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # The outbox relay: work a write recorded and nobody has done yet (a lost
    # message, a killed worker, a broker outage) is enqueued again. Every few
    # seconds, so a fault delays work by seconds; each delivery backs off on its own.
    "outbox-relay": {
        "task": "rapport.outbox.relay",
        "schedule": float(env_int("RAPPORT_OUTBOX_RELAY_SECONDS", 5, minimum=1)),
    },
    # Done deliveries are kept a week for support's questions, then removed at a quiet hour.
    "outbox-prune": {"task": "rapport.outbox.prune", "schedule": crontab(hour=3, minute=17)},
    # Page views are buffered in the cache; a minute's delay on the counter is fine.
    "flush-view-counts": {"task": "rapport.views.flush", "schedule": 60.0},
    # Digests go out early morning in the site's time zone, when people read mail.
    "digests-daily": {
        "task": "rapport.email.digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "digests-weekly": {
        "task": "rapport.email.digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon"),
        "args": ("weekly",),
    },
    # A cheap liveness signal: /readyz reports how long ago a worker last ran
    # a task from each queue, so a stuck or missing worker shows up there.
    "heartbeat-interactive": {
        "task": "rapport.ops.heartbeat",
        "schedule": 60.0,
        "options": {"queue": "interactive"},
        "kwargs": {"queue": "interactive"},
    },
    "heartbeat-mining": {
        "task": "rapport.ops.heartbeat",
        "schedule": 60.0,
        "options": {"queue": "mining"},
        "kwargs": {"queue": "mining"},
    },
}


@app.task(name="rapport.ops.heartbeat", soft_time_limit=5, time_limit=10)
def heartbeat(queue: str) -> None:
    """Record that a worker consuming `queue` is alive (idempotent: last write wins)."""
    heartbeat_record(queue=queue)


def tasks_over_visibility_timeout(
    *,
    visibility_timeout: int | None = None,
    margin: int | None = None,
    extra: dict[str, int] | None = None,
) -> list[str]:
    """The names of Rapport's tasks that could still be running when the broker hands their message out again.

    A Redis broker redelivers a message not acknowledged within the visibility
    timeout, and with acks_late a message stays unacknowledged while its task
    runs. So each `rapport.*` task's hard time limit (its own, or
    CELERY_TASK_TIME_LIMIT) plus `margin` seconds must fit under the timeout.
    `extra` adds other named waits the same way (a retry countdown, an ETA).
    A task without any hard limit never fits.
    """
    from django.conf import settings

    timeout = settings.CELERY_VISIBILITY_TIMEOUT if visibility_timeout is None else visibility_timeout
    margin = settings.VISIBILITY_TIMEOUT_MARGIN if margin is None else margin
    app.loader.import_default_modules()  # autodiscovery is lazy: make sure every app's tasks are registered
    default = app.conf.task_time_limit
    limits: dict[str, int | None] = {
        name: task.time_limit or default for name, task in app.tasks.items() if name.startswith("rapport.")
    }
    limits.update(extra or {})
    return sorted(name for name, limit in limits.items() if limit is None or limit + margin > timeout)
