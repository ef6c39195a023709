"""tests/brokers.py's use_broker moves everything the test process sends to another broker, and back."""

from __future__ import annotations

import os
import uuid
from contextlib import suppress

import pytest
from django.conf import settings
from kombu import Connection

from config.celery import app, heartbeat
from tests.brokers import use_broker

pytestmark = pytest.mark.redis


def _messages_on(url: str, queue: str) -> int:
    with Connection(url, connect_timeout=5) as connection:
        channel = connection.channel()
        try:
            return channel.queue_declare(queue=queue, passive=True).message_count
        except connection.channel_errors:  # never declared there: nothing was sent there
            return 0


def _delete(url: str, queue: str) -> None:
    with Connection(url, connect_timeout=5) as connection:
        # Celery declared a queue and a direct exchange of the same name on first use.
        for delete in ("queue_delete", "exchange_delete"):
            channel = connection.channel()
            with suppress(*connection.channel_errors):
                getattr(channel, delete)(queue)
            with suppress(*connection.channel_errors, *connection.connection_errors):
                channel.close()


def _broadcast_target() -> str:
    return app.control.mailbox.producer_pool.connections.connection.as_uri()


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("amqp", id="amqp", marks=pytest.mark.rabbitmq),
    ]
)
def other_broker(request) -> str:
    return "memory://" if request.param == "memory" else os.environ.get("RAPPORT_TEST_AMQP_URL", "")


def test_inside_use_broker_tasks_and_control_commands_go_to_the_other_broker_and_back_after(other_broker):
    default = settings.CELERY_BROKER_URL
    assert default.startswith("redis://")
    # A queue of its own, so no worker consumes it and nothing shared is touched.
    queue = f"rapport-test-brokers-{uuid.uuid4().hex}"
    try:
        # Use the default broker first, so every connection Celery caches points at it.
        heartbeat.apply_async(kwargs={"queue": "unused"}, queue=queue)
        app.control.ping(timeout=0.1)
        assert _messages_on(default, queue) == 1

        with use_broker(other_broker):
            heartbeat.apply_async(kwargs={"queue": "unused"}, queue=queue)
            app.control.ping(timeout=0.1)
            broadcast_inside = _broadcast_target()

        assert _messages_on(other_broker, queue) == 1
        assert _messages_on(default, queue) == 1  # nothing more reached the default broker
        assert broadcast_inside.split("://", 1)[0] == other_broker.split("://", 1)[0]

        heartbeat.apply_async(kwargs={"queue": "unused"}, queue=queue)
        app.control.ping(timeout=0.1)
        assert _messages_on(default, queue) == 2  # back on the default broker
        assert _messages_on(other_broker, queue) == 1
        assert _broadcast_target().startswith("redis://")
    finally:
        _delete(default, queue)
        _delete(other_broker, queue)
