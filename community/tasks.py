"""Thin Celery tasks: take ids, call a service. Each is safe to run twice."""

from __future__ import annotations

import smtplib

from celery import shared_task

from community.search.index import search_index_threads
from community.services import emails, notifications, view_counts

_EMAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "max_retries": 8,
}


@shared_task(name="rapport.notify.post_published", soft_time_limit=30, time_limit=60)
def notify_post_published(post_id: int) -> None:
    for notification_id in notifications.notify_post_published(post_id=post_id):
        send_notification_email.delay(notification_id)


@shared_task(name="rapport.notify.comment_published", soft_time_limit=30, time_limit=60)
def notify_comment_published(comment_id: int) -> None:
    for notification_id in notifications.notify_comment_published(comment_id=comment_id):
        send_notification_email.delay(notification_id)


@shared_task(name="rapport.notify.answer_accepted", soft_time_limit=30, time_limit=60)
def notify_answer_accepted(thread_id: int, answer_id: int, actor_id: int | None) -> None:
    for notification_id in notifications.notify_answer_accepted(
        thread_id=thread_id, answer_id=answer_id, actor_id=actor_id
    ):
        send_notification_email.delay(notification_id)


@shared_task(name="rapport.notify.idea_status_changed", soft_time_limit=60, time_limit=90)
def notify_idea_status_changed(change_id: int) -> None:
    for notification_id in notifications.notify_idea_status_changed(change_id=change_id):
        send_notification_email.delay(notification_id)


@shared_task(name="rapport.email.notification", soft_time_limit=30, time_limit=60, **_EMAIL_RETRY)
def send_notification_email(notification_id: int) -> None:
    emails.notification_email_send(notification_id=notification_id)


@shared_task(name="rapport.email.digests", soft_time_limit=60, time_limit=120)
def send_digests(frequency: str) -> None:
    """Fan out one digest task per member who has something to read."""
    for user_id in emails.members_due_digest(frequency=frequency):
        send_digest.delay(user_id, frequency)


@shared_task(name="rapport.email.digest", soft_time_limit=60, time_limit=120, **_EMAIL_RETRY)
def send_digest(user_id: int, frequency: str) -> None:
    emails.digest_send(user_id=user_id, frequency=frequency)


@shared_task(name="rapport.views.flush", soft_time_limit=50, time_limit=60)
def flush_view_counts() -> None:
    view_counts.view_counts_flush()


@shared_task(name="rapport.search.index_thread", soft_time_limit=30, time_limit=60)
def search_index_thread_task(thread_id: int) -> None:
    """Rewrite one thread's search document from its current state: a rerun writes the same; a vanished thread, nothing."""
    search_index_threads([thread_id])
