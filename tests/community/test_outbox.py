"""The outbox: work recorded with the write, enqueued after commit, done at least once and its effect once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from kombu.exceptions import OperationalError

from community import outbox
from community.models import Delivery, Follow, Notification, Post
from community.services.posts import answer_create
from community.tasks import outbox_deliver
from tests.factories import UserFactory, ask

pytestmark = pytest.mark.django_db

happened = Signal()


@pytest.fixture
def effects():
    """A handler of `happened` whose effect is a database row (a Follow), and a job handler that can fail or wait."""
    calls: list[dict] = []
    behaviour: dict[str, object] = {"fail": False, "defer": None, "sleep": 0.0}

    def write_row(*, member_id: int, thread_id: int, **event):
        calls.append({"member_id": member_id, "thread_id": thread_id})
        Follow.objects.create(member_id=member_id, thread_id=thread_id)
        if behaviour["sleep"]:
            time.sleep(behaviour["sleep"])
        if behaviour["defer"]:
            raise outbox.Defer(until=behaviour["defer"])
        if behaviour["fail"]:
            raise RuntimeError("the handler broke")

    outbox.handler(happened, name="tests.write_row")(write_row)
    try:
        yield calls, behaviour
    finally:
        outbox._handlers.pop("tests.write_row")
        outbox._by_signal.pop(happened)


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int, str]]:
    """(delivery id, handler) of every task the outbox enqueued (the broker is not needed to see them)."""
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(outbox, "_send", lambda delivery_id, handler, *, retry: calls.append((delivery_id, handler)))
    return calls


@pytest.fixture
def scene():
    """A member who does not follow a thread yet (the handler's effect is their following it), and the thread."""
    return UserFactory(), ask(UserFactory())


def publish_happened(member, thread) -> None:
    with transaction.atomic():
        outbox.publish(happened, sender=Post, member_id=member.pk, thread_id=thread.pk)


def test_publishing_records_one_delivery_per_handler_and_enqueues_it_after_commit(
    effects, sent, scene, django_capture_on_commit_callbacks
):
    member, thread = scene
    with django_capture_on_commit_callbacks(execute=True):
        publish_happened(member, thread)
        delivery = Delivery.objects.get(handler="tests.write_row")
        assert sent == []  # recorded, not yet enqueued
    assert delivery.payload == {"member_id": member.pk, "thread_id": thread.pk}
    assert delivery.done_at is None
    assert delivery.due_at > delivery.created_at
    assert sent == [(delivery.pk, "tests.write_row")]


def test_a_rolled_back_write_records_and_enqueues_nothing(effects, sent, scene, django_capture_on_commit_callbacks):
    member, thread = scene

    def publish_then_fail() -> None:
        with transaction.atomic():
            outbox.publish(happened, sender=Post, member_id=member.pk, thread_id=thread.pk)
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        publish_then_fail()
    assert not Delivery.objects.filter(handler="tests.write_row").exists()
    assert sent == []
    # The control: the same publish, committed, is recorded.
    publish_happened(member, thread)
    assert Delivery.objects.filter(handler="tests.write_row").count() == 1


def test_a_delivery_run_twice_has_its_effect_once(effects, sent, scene):
    calls, _behaviour = effects
    member, thread = scene
    publish_happened(member, thread)
    delivery = Delivery.objects.get(handler="tests.write_row")

    assert outbox.deliver(delivery.pk) is True
    assert outbox.deliver(delivery.pk) is True  # a redelivered message: done already, nothing runs
    assert len(calls) == 1
    delivery.refresh_from_db()
    assert delivery.done_at is not None
    assert Follow.objects.filter(member=member, thread=thread).count() == 1


def test_a_failing_handler_leaves_no_effect_and_is_retried_later_until_it_succeeds(effects, sent, scene):
    calls, behaviour = effects
    member, thread = scene
    publish_happened(member, thread)
    delivery = Delivery.objects.get(handler="tests.write_row")
    behaviour["fail"] = True

    before = timezone.now()
    assert outbox.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    # The effect and the done mark share one transaction: both rolled back.
    assert not Follow.objects.filter(member=member, thread=thread).exists()
    assert delivery.done_at is None
    assert delivery.failures == 1
    assert delivery.last_error == "RuntimeError: the handler broke"
    assert delivery.due_at >= before + timedelta(seconds=15)  # backed off for the relay

    behaviour["fail"] = False
    assert outbox.deliver(delivery.pk) is True
    assert Follow.objects.filter(member=member, thread=thread).count() == 1
    assert len(calls) == 2


def test_a_handler_that_must_wait_is_due_again_when_it_said(effects, sent, scene):
    _calls, behaviour = effects
    member, thread = scene
    publish_happened(member, thread)
    delivery = Delivery.objects.get(handler="tests.write_row")
    until = timezone.now() + timedelta(seconds=42)
    behaviour["defer"] = until

    assert outbox.deliver(delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.due_at == until
    assert delivery.done_at is None
    assert delivery.failures == 0


def test_the_relay_enqueues_what_is_due_and_undone_and_backs_off_each_time(effects, sent, scene):
    member, thread = scene
    for _ in range(3):
        publish_happened(member, thread)
    due, not_yet, done = Delivery.objects.filter(handler="tests.write_row").order_by("pk")
    past = timezone.now() - timedelta(seconds=1)
    Delivery.objects.filter(pk__in=[due.pk, done.pk]).update(due_at=past)
    Delivery.objects.filter(pk=done.pk).update(done_at=timezone.now())
    sent.clear()

    assert outbox.relay() == 1
    assert sent == [(due.pk, "tests.write_row")]
    due.refresh_from_db()
    assert due.attempts == 1
    first_wait = due.due_at - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)  # 15 s doubled

    assert outbox.relay() == 0  # not due again yet
    Delivery.objects.filter(pk=due.pk).update(due_at=past)
    assert outbox.relay() == 1
    due.refresh_from_db()
    assert due.attempts == 2
    assert due.due_at - timezone.now() > timedelta(seconds=55)  # and doubled again


def test_the_relay_stops_at_a_refusing_broker_and_keeps_the_rest_due(effects, monkeypatch, scene):
    member, thread = scene
    for _ in range(3):
        publish_happened(member, thread)
    Delivery.objects.filter(handler="tests.write_row").update(due_at=timezone.now() - timedelta(seconds=1))
    accepted: list[int] = []

    def send(delivery_id, handler, *, retry):
        if accepted:
            raise OperationalError("Error 111 connecting to the broker. Connection refused.")
        accepted.append(delivery_id)

    monkeypatch.setattr(outbox, "_send", send)
    assert outbox.relay() == 1
    rows = {d.pk: d for d in Delivery.objects.filter(handler="tests.write_row")}
    assert rows[accepted[0]].attempts == 1
    still_due = [d for pk, d in rows.items() if pk != accepted[0]]
    assert [d.attempts for d in still_due] == [0, 0]
    assert all(d.due_at <= timezone.now() for d in still_due)


def test_a_members_answer_succeeds_while_the_broker_refuses_and_its_work_waits_for_the_relay(
    monkeypatch, django_capture_on_commit_callbacks
):
    asker, answerer = UserFactory(), UserFactory()
    thread = ask(asker)

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(outbox_deliver, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        post = answer_create(author=answerer, thread=thread, body="Restart it while holding the button.")
    assert Post.objects.filter(pk=post.pk).exists()
    pending = Delivery.objects.get(handler="community.notify_post_published", payload__post_id=post.pk)
    assert pending.done_at is None
    assert pending.attempts == 0

    # The broker is back: the relay enqueues it once it is due, and running it notifies the asker.
    monkeypatch.undo()
    enqueued: list[int] = []
    monkeypatch.setattr(outbox, "_send", lambda delivery_id, handler, *, retry: enqueued.append(delivery_id))
    Delivery.objects.filter(pk=pending.pk).update(due_at=timezone.now())
    outbox.relay()
    assert pending.pk in enqueued
    assert outbox.deliver(pending.pk)
    assert Notification.objects.filter(recipient=asker, post=post).count() == 1


def test_done_deliveries_are_pruned_after_the_keeping_days_and_undone_ones_never(effects, sent, scene):
    member, thread = scene
    for _ in range(3):
        publish_happened(member, thread)
    old_done, recent_done, old_undone = Delivery.objects.filter(handler="tests.write_row").order_by("pk")
    long_ago = timezone.now() - timedelta(days=8)
    Delivery.objects.filter(pk=old_done.pk).update(done_at=long_ago, created_at=long_ago)
    Delivery.objects.filter(pk=recent_done.pk).update(done_at=timezone.now() - timedelta(days=6))
    Delivery.objects.filter(pk=old_undone.pk).update(created_at=long_ago)

    assert outbox.prune() == 1
    assert set(Delivery.objects.filter(handler="tests.write_row").values_list("pk", flat=True)) == {
        recent_done.pk,
        old_undone.pk,
    }


def test_a_job_with_a_key_is_recorded_once(effects, sent, scene):
    member, thread = scene
    outbox.handler(name="tests.job")(lambda **payload: None)
    try:
        for _ in range(2):
            outbox.schedule("tests.job", key="only-once", n=1)
        assert Delivery.objects.filter(handler="tests.job").count() == 1
        with pytest.raises(LookupError):
            outbox.schedule("tests.no_such_job", n=1)
    finally:
        outbox._handlers.pop("tests.job")


def test_every_handler_is_registered_once_under_a_stable_name():
    names = outbox.handlers()
    assert {
        "community.notify_post_published",
        "community.notify_comment_published",
        "community.notify_answer_accepted",
        "community.notify_idea_status_changed",
        "community.email_notification",
        "community.email_digest",
        "community.search_index_thread",
    } <= set(names)
    with pytest.raises(ValueError, match="registered twice"):
        outbox.handler(name="community.email_digest")(lambda **payload: None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_delivery_at_once_run_its_handler_once(effects, sent):
    calls, behaviour = effects
    member = UserFactory()
    thread = ask(UserFactory())
    publish_happened(member, thread)
    delivery = Delivery.objects.get(handler="tests.write_row")
    behaviour["sleep"] = 1.0
    results: list[bool] = []

    def run() -> None:
        try:
            results.append(outbox.deliver(delivery.pk))
        finally:
            connection.close()

    first = threading.Thread(target=run)
    first.start()
    time.sleep(0.3)  # the first holds the row
    started = time.monotonic()
    second = outbox.deliver(delivery.pk)
    assert second is False  # skipped the locked row at once, did not wait for it
    assert time.monotonic() - started < 0.5
    first.join()
    assert results == [True]
    assert len(calls) == 1
    assert Follow.objects.filter(member=member, thread=thread).count() == 1
