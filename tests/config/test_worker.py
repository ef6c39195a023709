"""A real Celery worker process runs what a committed transaction enqueued, and nothing else."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from config.celery import heartbeat
from config.heartbeat import HEARTBEAT_KEY

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait_for(key: str, seconds: float = 30.0):
    from django.core.cache import cache

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = cache.get(key)
        if value is not None:
            return value
        time.sleep(0.2)
    return None


class Boom(Exception):
    pass


def test_a_task_enqueued_on_commit_runs_in_the_worker_and_a_rolled_back_one_never_does(celery_worker_process):
    from django.core.cache import cache

    def enqueue_then_fail():
        with transaction.atomic():
            transaction.on_commit(lambda: heartbeat.delay(queue="rolled-back"))
            raise Boom

    with pytest.raises(Boom):
        enqueue_then_fail()

    with transaction.atomic():
        transaction.on_commit(lambda: heartbeat.delay(queue="committed"))
        # Nothing is sent while the transaction is still open.
        time.sleep(1)
        assert cache.get(HEARTBEAT_KEY.format(queue="committed")) is None

    assert _wait_for(HEARTBEAT_KEY.format(queue="committed")) is not None
    # The committed task ran after the rolled-back one would have been sent, so its absence is real.
    assert cache.get(HEARTBEAT_KEY.format(queue="rolled-back")) is None


def test_tasks_routed_to_the_mining_queue_are_consumed(celery_worker_process):
    heartbeat.apply_async(kwargs={"queue": "mining"}, queue="mining")
    assert _wait_for(HEARTBEAT_KEY.format(queue="mining")) is not None
