"""Who gets notified, by which route, and that every step is safe to run twice."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from accounts.models import Profile
from community import outbox
from community.handlers import EMAIL_NOTIFICATION
from community.models import Delivery, Follow, Notification, Visibility
from community.outbox import Defer
from community.services.emails import (
    EMAIL_LEASE,
    digest_send,
    digests_schedule,
    members_due_digest,
    notification_email_send,
)
from community.services.notifications import (
    follow_set,
    notifications_mark_read,
    notify_answer_accepted,
    notify_comment_published,
    notify_post_published,
    unsubscribe_token,
    unsubscribe_user_from_token,
)
from community.services.posts import comment_create
from community.services.votes import answer_accept
from tests.factories import SpaceFactory, UserFactory, answer, ask

pytestmark = pytest.mark.django_db


def _frequency(user, value):
    Profile.objects.filter(user=user).update(email_frequency=value)


@pytest.fixture
def question(member):
    return ask(member)


def test_the_asker_hears_about_an_answer_once_however_often_the_task_runs(question, member, other_member):
    reply = answer(other_member, question)
    first = notify_post_published(post_id=reply.pk)
    second = notify_post_published(post_id=reply.pk)
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor) == (member, "answer", other_member)
    assert first == second == [notification.pk]  # still unsent, so both runs hand it to the mailer


def test_the_answerer_is_not_notified_of_their_own_answer_but_other_followers_are(question, member, other_member):
    third = UserFactory(username="carol")
    answer(third, question)  # carol now follows the thread
    reply = answer(other_member, question)
    notify_post_published(post_id=reply.pk)
    recipients = dict(Notification.objects.values_list("recipient__username", "kind"))
    assert recipients == {"alice": "answer", "carol": "watched"}


def test_mentions_notify_only_members_who_can_see_the_thread(member, other_member, staff):
    private = ask(staff, SpaceFactory(visibility=Visibility.STAFF), title="Refund policy draft for the team")
    reply = answer(staff, private, body="Thoughts, @alice and @sam? Nobody else should see this.")
    notify_post_published(post_id=reply.pk)
    assert not Notification.objects.filter(recipient=member).exists()

    public = ask(other_member)
    reply = answer(staff, public, body="@alice had the same problem last week, see her post.")
    notify_post_published(post_id=reply.pk)
    assert Notification.objects.get(recipient=member).kind == "mention"


def test_a_comment_notifies_the_post_author(question, member, other_member):
    comment = comment_create(author=other_member, post=question.posts.get(), body="Which version are you on?")
    notify_comment_published(comment_id=comment.pk)
    notify_comment_published(comment_id=comment.pk)
    assert Notification.objects.get().kind == "comment"


def test_the_answerer_hears_their_answer_was_accepted_unless_it_was_taken_back(question, member, other_member):
    reply = answer(other_member, question)
    answer_accept(thread=question, answer=reply, actor=member)
    notify_answer_accepted(thread_id=question.pk, answer_id=reply.pk, actor_id=member.pk)
    assert Notification.objects.get(recipient=other_member).kind == "accepted"

    second = answer(UserFactory(), question)
    answer_accept(thread=question, answer=second, actor=member)
    answer_accept(thread=question, answer=None, actor=member)
    assert notify_answer_accepted(thread_id=question.pk, answer_id=second.pk, actor_id=member.pk) == []


def test_space_and_tag_followers_hear_about_new_threads(member, other_member):
    space = SpaceFactory()
    carol = UserFactory(username="carol")
    follow_set(member=other_member, space=space, on=True)
    thread = ask(member, space, tags=["billing"])
    from taggit.models import Tag

    follow_set(member=carol, tag=Tag.objects.get(name="billing"), on=True)
    notify_post_published(post_id=thread.posts.get().pk)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"bob", "carol"}


def test_following_twice_is_one_follow_and_unfollowing_stops_notifications(question, member, other_member):
    assert follow_set(member=other_member, thread=question, on=True) is True
    assert follow_set(member=other_member, thread=question, on=True) is False
    assert follow_set(member=other_member, thread=question, on=False) is True
    assert follow_set(member=member, thread=question, on=False) is True  # the asker unfollows their own thread
    reply = answer(UserFactory(), question)
    notify_post_published(post_id=reply.pk)
    # The asker still hears about answers to their question; nobody else does.
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["alice"]
    assert Follow.objects.filter(member=other_member).count() == 0


def test_instant_email_is_sent_once_with_one_click_unsubscribe(question, member, other_member):
    reply = answer(other_member, question)
    [notification_id] = notify_post_published(post_id=reply.pk)
    assert notification_email_send(notification_id=notification_id) is True
    assert notification_email_send(notification_id=notification_id) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert question.title in message.subject
    assert f"/t/{question.pk}/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = message.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]
    assert unsubscribe_user_from_token(token) == member
    html = message.alternatives[0][0]
    assert question.title in html


def test_members_on_digests_or_off_get_no_instant_email(question, member, other_member):
    _frequency(member, "daily")
    [notification_id] = notify_post_published(post_id=answer(other_member, question).pk)
    assert notification_email_send(notification_id=notification_id) is False
    assert Notification.objects.get(pk=notification_id).emailed_at is None  # left for the digest
    _frequency(member, "off")
    assert notification_email_send(notification_id=notification_id) is False
    assert mail.outbox == []


def test_the_daily_digest_lists_unread_activity_once(member, other_member):
    _frequency(member, "daily")
    first = ask(member, title="First question about shipping times")
    second = ask(member, title="Second question about return labels")
    for thread in (first, second):
        notify_post_published(post_id=answer(other_member, thread).pk)
    assert members_due_digest(frequency="daily") == [member.pk]
    assert members_due_digest(frequency="weekly") == []

    assert digest_send(user_id=member.pk, frequency="daily") == 2
    assert digest_send(user_id=member.pk, frequency="daily") == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert first.title in body
    assert second.title in body
    assert "2 updates" in mail.outbox[0].subject
    assert members_due_digest(frequency="daily") == []


def test_read_notifications_are_left_out_of_digests(question, member, other_member):
    _frequency(member, "weekly")
    notify_post_published(post_id=answer(other_member, question).pk)
    assert notifications_mark_read(member=member) == 1
    assert notifications_mark_read(member=member) == 0
    assert digest_send(user_id=member.pk, frequency="weekly") == 0
    assert mail.outbox == []


def test_a_tampered_unsubscribe_token_is_refused(member):
    token = unsubscribe_token(member)
    assert unsubscribe_user_from_token(token) == member
    assert unsubscribe_user_from_token(token[:-2] + "xx") is None


def test_publishing_records_its_work_in_the_transaction_and_enqueues_it_only_after_commit(
    question, other_member, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(outbox, "_send", lambda delivery_id, handler, retry: sent.append(handler))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = answer(other_member, question)
        recorded = Delivery.objects.get(handler="community.notify_post_published", payload__post_id=reply.pk)
    assert recorded.payload["post_id"] == reply.pk
    assert sent == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert sent == ["community.notify_post_published"]


def _deliver_all_twice() -> None:
    """Run every undone delivery, each twice (a redelivered message), until none is left."""
    while ids := list(Delivery.objects.filter(done_at__isnull=True).values_list("pk", flat=True)):
        for delivery_id in ids:
            for _ in range(2):
                outbox.deliver(delivery_id)


def test_notification_work_run_twice_leaves_the_same_state(question, member, other_member):
    answer(other_member, question)
    _deliver_all_twice()
    notification = Notification.objects.get()
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(handler=EMAIL_NOTIFICATION, key=f"notification:{notification.pk}").count() == 1
    for _ in range(2):
        outbox.deliver(Delivery.objects.get(handler=EMAIL_NOTIFICATION).pk)
        digest_send(user_id=member.pk, frequency="daily")
    assert len(mail.outbox) == 1


def _made_staff_only(space) -> None:
    from community.services.spaces import space_save

    space.visibility = Visibility.STAFF
    space_save(space=space)


def test_a_digest_leaves_out_what_became_staff_only_and_still_sends_the_rest(member, other_member):
    _frequency(member, "daily")
    hidden = ask(member, SpaceFactory(), title="Question about the unreleased loyalty scheme")
    kept = ask(member, title="Question about return labels")
    for thread in (hidden, kept):
        notify_post_published(post_id=answer(other_member, thread).pk)

    _made_staff_only(hidden.space)

    assert digest_send(user_id=member.pk, frequency="daily") == 1
    body = mail.outbox[0].body
    assert kept.title in body
    assert hidden.title not in body
    assert "1 update" in mail.outbox[0].subject
    # Never sent later either, and the member is not due another digest for it.
    assert members_due_digest(frequency="daily") == []


def test_an_instant_email_about_what_became_staff_only_is_never_sent_but_staff_still_get_theirs(
    question, member, other_member, staff
):
    follow_set(member=staff, on=True, thread=question)
    ids = notify_post_published(post_id=answer(other_member, question).pk)
    mine, staffs = (Notification.objects.get(pk__in=ids, recipient=user).pk for user in (member, staff))

    _made_staff_only(question.space)

    assert notification_email_send(notification_id=mine) is False
    assert notification_email_send(notification_id=staffs) is True
    assert [message.to for message in mail.outbox] == [[staff.email]]


def test_a_notification_email_names_the_notification_it_carries(question, member, other_member):
    (notification_id,) = notify_post_published(post_id=answer(other_member, question).pk)
    assert notification_email_send(notification_id=notification_id)
    assert mail.outbox[-1].extra_headers["X-Rapport-Notifications"] == str(notification_id)


def _claimed(notification_id: int, seconds_ago: float) -> None:
    """As a worker killed right after claiming the notification would leave it."""
    claimed_at = timezone.now() - timedelta(seconds=seconds_ago)
    Notification.objects.filter(pk=notification_id).update(email_claimed_at=claimed_at)


def test_an_email_claimed_by_a_worker_killed_before_sending_goes_out_once_its_lease_ran_out(
    question, member, other_member
):
    [notification_id] = notify_post_published(post_id=answer(other_member, question).pk)
    _claimed(notification_id, seconds_ago=10)

    with pytest.raises(Defer) as deferred:
        notification_email_send(notification_id=notification_id)  # the lease still runs: not now
    claimed_at = Notification.objects.get(pk=notification_id).email_claimed_at
    assert deferred.value.until == claimed_at + EMAIL_LEASE
    assert mail.outbox == []

    _claimed(notification_id, seconds_ago=EMAIL_LEASE.total_seconds() + 1)
    assert notification_email_send(notification_id=notification_id) is True
    assert notification_email_send(notification_id=notification_id) is False
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification_id).emailed_at is not None


def test_an_email_the_server_refused_is_not_recorded_and_is_free_for_the_retry(
    question, member, other_member, monkeypatch
):
    [notification_id] = notify_post_published(post_id=answer(other_member, question).pk)

    def refused(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refused)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            notification_email_send(notification_id=notification_id)
    notification = Notification.objects.get(pk=notification_id)
    assert notification.emailed_at is None
    assert notification.email_claimed_at is None  # no lease to wait out

    assert notification_email_send(notification_id=notification_id) is True
    assert len(mail.outbox) == 1


def test_a_waiting_email_job_is_due_again_when_the_lease_runs_out(question, member, other_member):
    reply = answer(other_member, question)
    notify = Delivery.objects.get(handler="community.notify_post_published", payload__post_id=reply.pk)
    assert outbox.deliver(notify.pk)
    job = Delivery.objects.get(handler=EMAIL_NOTIFICATION)
    _claimed(job.payload["notification_id"], seconds_ago=5)

    assert outbox.deliver(job.pk) is False
    job.refresh_from_db()
    claimed_at = Notification.objects.get(pk=job.payload["notification_id"]).email_claimed_at
    assert job.due_at == claimed_at + EMAIL_LEASE
    assert job.failures == 0
    assert mail.outbox == []


def test_a_digest_claims_each_notification_and_lists_one_claimed_by_a_killed_worker_after_its_lease(
    member, other_member, monkeypatch
):
    _frequency(member, "daily")
    first, second = ask(member, title="First question about refunds"), ask(member, title="Second about labels")
    ids = [notify_post_published(post_id=answer(other_member, thread).pk)[0] for thread in (first, second)]
    _claimed(ids[0], seconds_ago=5)  # a digest run killed mid-send holds this one

    def refused(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refused)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            digest_send(user_id=member.pk, frequency="daily")
    assert Notification.objects.get(pk=ids[1]).email_claimed_at is None  # the failed run let go of its claim

    assert digest_send(user_id=member.pk, frequency="daily") == 1  # the other is still leased
    assert second.title in mail.outbox[-1].body
    assert first.title not in mail.outbox[-1].body

    _claimed(ids[0], seconds_ago=EMAIL_LEASE.total_seconds() + 1)
    assert digest_send(user_id=member.pk, frequency="daily") == 1
    assert first.title in mail.outbox[-1].body
    assert digest_send(user_id=member.pk, frequency="daily") == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).count() == 0


def test_the_digest_beat_records_one_job_per_member_and_day_however_often_it_runs(member, other_member, question):
    _frequency(member, "daily")
    notify_post_published(post_id=answer(other_member, question).pk)
    for _ in range(2):
        digests_schedule(frequency="daily")
    [job] = Delivery.objects.filter(handler="community.email_digest")
    assert job.payload == {"user_id": member.pk, "frequency": "daily"}
    assert outbox.deliver(job.pk)
    assert len(mail.outbox) == 1
