"""The outbox: work that must follow a write is recorded in the write's transaction and done at least once.

A service records what happened with `publish(signal, ...)` (or one job with
`schedule(handler, ...)`) inside its transaction: one `Delivery` row per
handler that must react. Handlers register here, by name, for community's
signals (`@handler(post_published, name="rewards.reputation")`); community
never imports the apps that register them.

After commit, a fast path enqueues one `rapport.outbox.deliver` task per
delivery. Whatever is lost after that (the enqueue, because the broker is
down; the message, in the broker; the task, in a worker killed mid-run) is
found by the relay: a beat task every few seconds enqueues every delivery not
done by its `due_at`, backing off for each attempt. So work is delayed by a
fault, never lost, and the member's request never fails because the broker did.

A handler runs with its delivery row locked and marks it done in the same
transaction as its effect, so a task that runs twice (a redelivered message, a
relay's copy) changes nothing the second time. A handler whose effect leaves
the database (an e-mail) is registered `atomic=False`: it makes itself
idempotent (a lease, community.services.emails) and the delivery is marked
done after it returns. A handler that must wait raises `Defer(until)`; one
that fails is retried by the relay with the same backoff, its error kept on
the row. Done deliveries are pruned after RAPPORT_OUTBOX_KEEP_DAYS.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from community.models import Delivery

log = logging.getLogger(__name__)

DELIVER_TASK = "rapport.outbox.deliver"
DEFAULT_QUEUE = "interactive"


@dataclass(frozen=True)
class Handler:
    name: str
    function: Callable[..., object]
    queue: str
    soft_time_limit: int
    time_limit: int
    atomic: bool


class Defer(Exception):  # noqa: N818 - a request, not an error: "try again at `until`"
    """Raised by a handler that cannot act yet (another worker holds the work): try again at `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


_handlers: dict[str, Handler] = {}
_by_signal: dict[Signal, list[str]] = defaultdict(list)


def handler(
    *signals: Signal,
    name: str,
    queue: str = DEFAULT_QUEUE,
    soft_time_limit: int = 30,
    time_limit: int = 45,
    atomic: bool = True,
) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Register a function to run, with the event's arguments, once per publish of each of `signals`.

    With no signal it is a job that services start with `schedule(name, ...)`.
    `name` is stored in delivery rows: keep it stable. The function takes
    keyword arguments (the signal's payload) and must accept others (`**event`),
    so a signal can grow an argument without breaking a handler.
    """

    def register(function: Callable[..., object]) -> Callable[..., object]:
        if name in _handlers and _handlers[name].function is not function:
            raise ValueError(f"outbox handler {name!r} is registered twice")
        _handlers[name] = Handler(name, function, queue, soft_time_limit, time_limit, atomic)
        for signal in signals:
            if name not in _by_signal[signal]:
                _by_signal[signal].append(name)
        return function

    return register


def handlers() -> dict[str, Handler]:
    """Every registered handler by name (for checks: their time limits must fit the broker's visibility timeout)."""
    return dict(_handlers)


def publish(signal: Signal, *, sender: type, **payload: object) -> None:
    """Record that `signal` happened: one delivery per handler registered for it. Call inside the write's transaction.

    The signal itself is also sent after commit, for in-process listeners
    whose reaction may be lost without harm; work that must happen registers
    a handler instead.
    """
    names = _by_signal.get(signal, [])
    if names:
        event = uuid.uuid4().hex
        _record([(name, f"{event}", payload) for name in names], keyed=False)
    transaction.on_commit(lambda: signal.send(sender=sender, **payload))


def schedule(handler_name: str, *, key: str | None = None, **payload: object) -> None:
    """Record one job for `handler_name`. With a `key`, a second job of the same key is ignored."""
    schedule_many(handler_name, [(key, payload)])


def schedule_many(handler_name: str, jobs: Iterable[tuple[str | None, dict[str, object]]]) -> None:
    """Record many jobs for one handler: (key or None, payload) pairs."""
    if handler_name not in _handlers:
        raise LookupError(f"no outbox handler named {handler_name!r}")
    jobs = list(jobs)
    rows = [(handler_name, key or uuid.uuid4().hex, payload) for key, payload in jobs]
    if rows:
        # Jobs without a key cannot repeat: one INSERT, no lookup of what was there.
        _record(rows, keyed=any(key for key, _payload in jobs))


def _record(rows: list[tuple[str, str, dict[str, object]]], *, keyed: bool) -> None:
    now = timezone.now()
    due = now + _backoff(0)
    deliveries = [
        Delivery(handler=name, key=key, payload=payload, created_at=now, due_at=due) for name, key, payload in rows
    ]
    if keyed:
        # A job already recorded (a rerun scheduling it again) is left as it is.
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        keys = [key for _name, key, _payload in rows]
        recorded = list(
            Delivery.objects.filter(handler=rows[0][0], key__in=keys, done_at__isnull=True).values_list("pk", "handler")
        )
    else:
        recorded = [(delivery.pk, delivery.handler) for delivery in Delivery.objects.bulk_create(deliveries)]
    if recorded:
        transaction.on_commit(lambda: _enqueue_after_commit(recorded))


def _backoff(attempts: int) -> timedelta:
    base = settings.RAPPORT_OUTBOX_RETRY_SECONDS
    return timedelta(seconds=min(settings.RAPPORT_OUTBOX_RETRY_MAX_SECONDS, base * 2**attempts))


def _send(delivery_id: int, handler_name: str, *, retry: bool) -> None:
    spec = _handlers.get(handler_name)
    options = (
        {"queue": spec.queue, "soft_time_limit": spec.soft_time_limit, "time_limit": spec.time_limit}
        if spec
        else {"queue": DEFAULT_QUEUE}
    )
    # The task object, not send_task, so task_always_eager works where a test sets it; imported
    # here because community.tasks imports this module.
    from community.tasks import outbox_deliver

    outbox_deliver.apply_async(
        args=[delivery_id],
        retry=retry,
        # The fast path gives a flaky broker one quick second chance; the relay does the rest.
        retry_policy={"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.2},
        **options,
    )


def _enqueue_after_commit(recorded: list[tuple[int, str]]) -> None:
    """The fast path. Never raises: the write is committed, and the relay enqueues whatever this could not."""
    for delivery_id, handler_name in recorded:
        try:
            _send(delivery_id, handler_name, retry=True)
        except Exception:  # noqa: BLE001 - any broker failure: the relay will enqueue it
            log.warning("outbox: could not enqueue %d deliveries now; the relay will", len(recorded), exc_info=True)
            return


def deliver(delivery_id: int) -> bool:
    """Run one delivery's handler unless it is done. Returns whether it is done now."""
    row = Delivery.objects.filter(pk=delivery_id).values_list("handler", "done_at").first()
    if row is None or row[1] is not None:
        return True  # done already (or done and pruned)
    spec = _handlers.get(row[0])
    try:
        if spec is None:
            raise LookupError(f"no outbox handler named {row[0]!r}")
        return _run_atomic(spec, delivery_id) if spec.atomic else _run(spec, delivery_id)
    except Defer as defer:
        Delivery.objects.filter(pk=delivery_id, done_at__isnull=True).update(due_at=defer.until)
        return False
    except Exception as error:  # noqa: BLE001 - any failure is kept on the row and retried by the relay
        log.exception("outbox: delivery %d (%s) failed", delivery_id, row[0])
        failures = Delivery.objects.filter(pk=delivery_id).values_list("failures", flat=True).first() or 0
        Delivery.objects.filter(pk=delivery_id, done_at__isnull=True).update(
            failures=F("failures") + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            due_at=timezone.now() + _backoff(failures + 1),
        )
        return False


def _run_atomic(spec: Handler, delivery_id: int) -> bool:
    with transaction.atomic():
        # Locked until the effect commits; a second copy running now skips it
        # (the relay enqueues it again if this one dies).
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True).filter(pk=delivery_id, done_at__isnull=True).first()
        )
        if delivery is None:
            return False
        spec.function(**delivery.payload)
        Delivery.objects.filter(pk=delivery_id).update(done_at=timezone.now())
    return True


def _run(spec: Handler, delivery_id: int) -> bool:
    payload = Delivery.objects.filter(pk=delivery_id).values_list("payload", flat=True).first()
    if payload is None:
        return True
    spec.function(**payload)
    Delivery.objects.filter(pk=delivery_id, done_at__isnull=True).update(done_at=timezone.now())
    return True


def relay(*, limit: int = 500) -> int:
    """Enqueue every delivery not done by its due time, and push each one's next due time back. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        # SKIP LOCKED: a delivery being run right now holds its row; a second relay takes other rows.
        due = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(done_at__isnull=True, due_at__lte=now)
            .order_by("due_at")
            .values_list("pk", "handler", "attempts")[:limit]
        )
        sent: dict[int, list[int]] = defaultdict(list)
        for delivery_id, handler_name, attempts in due:
            try:
                _send(delivery_id, handler_name, retry=False)
            except Exception:  # noqa: BLE001 - the broker is down: try again next time
                log.warning("outbox relay: the broker refused; %d deliveries wait", len(due) - len(sent), exc_info=True)
                break
            sent[attempts + 1].append(delivery_id)
        for attempts, ids in sent.items():
            Delivery.objects.filter(pk__in=ids).update(attempts=attempts, due_at=now + _backoff(attempts))
    return sum(len(ids) for ids in sent.values())


def prune(*, older_than: timedelta | None = None, batch: int = 10_000) -> int:
    """Delete done deliveries older than RAPPORT_OUTBOX_KEEP_DAYS, a batch at a time. Returns how many."""
    older_than = older_than or timedelta(days=settings.RAPPORT_OUTBOX_KEEP_DAYS)
    cutoff = timezone.now() - older_than
    deleted = 0
    while True:
        ids = list(Delivery.objects.filter(done_at__lt=cutoff).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += Delivery.objects.filter(pk__in=ids).delete()[0]


def pending_summary() -> dict[str, object]:
    """For /readyz: how many deliveries are not done, and how late the most overdue one is."""
    now = timezone.now()
    pending = Delivery.objects.filter(done_at__isnull=True)
    oldest = pending.order_by("due_at").values_list("due_at", flat=True).first()
    return {
        "pending": pending.count(),
        "overdue_seconds": max(0, int((now - oldest).total_seconds())) if oldest else 0,
    }
