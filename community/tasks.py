"""Thin Celery tasks: take ids, call a service. Each is safe to run twice.

Work that follows a write goes through the outbox (community/outbox.py): one
task delivers any recorded delivery; the handlers are in community/handlers.py.
"""

from __future__ import annotations

from celery import shared_task

from community import outbox
from community.services import emails, view_counts


# Each delivery gets its handler's own time limits when it is enqueued (outbox._send); these are the fallback.
@shared_task(name=outbox.DELIVER_TASK, soft_time_limit=30, time_limit=45)
def outbox_deliver(delivery_id: int) -> None:
    outbox.deliver(delivery_id)


@shared_task(name="rapport.outbox.relay", soft_time_limit=20, time_limit=30)
def outbox_relay() -> None:
    outbox.relay()


@shared_task(name="rapport.outbox.prune", soft_time_limit=120, time_limit=150)
def outbox_prune() -> None:
    outbox.prune()


@shared_task(name="rapport.email.digests", soft_time_limit=60, time_limit=120)
def send_digests(frequency: str) -> None:
    """Record one digest job per member who has something to read; the outbox sends them."""
    emails.digests_schedule(frequency=frequency)


@shared_task(name="rapport.views.flush", soft_time_limit=50, time_limit=60)
def flush_view_counts() -> None:
    view_counts.view_counts_flush()
