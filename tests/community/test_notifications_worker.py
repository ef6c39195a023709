"""End to end on the real stack: a committed answer reaches the asker through a real Celery worker."""

from __future__ import annotations

import time

import pytest

from community.models import Notification
from tests.factories import UserFactory, answer, ask

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_answer_notifies_the_asker_and_emails_them_through_the_worker(celery_worker_process):
    asker, answerer = UserFactory(username="asker"), UserFactory(username="answerer")
    question = ask(asker)  # autocommit: its own on-commit work runs now, nobody to notify
    answer(answerer, question)

    deadline = time.monotonic() + 30
    notification = None
    while time.monotonic() < deadline:
        notification = Notification.objects.filter(recipient=asker).first()
        if notification and notification.emailed_at:
            break
        time.sleep(0.3)
    assert notification is not None, "the worker never wrote the notification"
    assert notification.kind == "answer"
    # The email task ran in the worker too: the notification is claimed as sent.
    assert notification.emailed_at is not None
    assert Notification.objects.count() == 1
