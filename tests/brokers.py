"""Point the test process's Celery app at another broker for a while.

Changing `broker_url` alone is not enough: Celery keeps connections to the
broker it first used in three places, and each would go on sending there.

- `app.pool`, the connection pool (`app._pool`), which `connection_or_acquire` uses;
- `app.amqp.producer_pool` (`app.amqp._producer_pool`), which every `delay()` and
  `apply_async()` borrows a producer from;
- `app.control.mailbox.producer_pool`, a cached property evaluated on the first
  broadcast, which `ping()`, `purge()` and every other control command publish with.

Each is dropped, so the next use builds it again from the new URL;
tests/config/test_brokers.py fails without any one of them. The pools also
live on in kombu's process-wide pool groups: those are closed and emptied too,
so no connection to a broker the tests are done with stays open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kombu import pools

from config.celery import app


def _forget_connections() -> None:
    # Only the test process's own app uses kombu's pools here, so resetting them all is safe.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.control.mailbox.__dict__.pop("producer_pool", None)


def _point_at(url: str) -> None:
    _forget_connections()
    app.conf.broker_url = url
    # Celery prefers CELERY_BROKER_URL (and the READ/WRITE variants) from the environment over its settings.
    if app.conf.broker_write_url != url or app.conf.broker_read_url != url:
        raise RuntimeError(
            f"The Celery app still uses {app.conf.broker_write_url!r}: unset CELERY_BROKER_URL, "
            "CELERY_BROKER_READ_URL and CELERY_BROKER_WRITE_URL in the environment of the tests."
        )


@contextmanager
def use_broker(url: str) -> Iterator[None]:
    """Send tasks and control commands from this process to the broker at `url` inside the block."""
    previous = app.conf.broker_url
    _point_at(url)
    try:
        yield
    finally:
        _point_at(previous)
