"""Community's outbox handlers: who hears about what, e-mail, and search documents.

Each runs in a worker after the write commits, at least once (community/outbox.py).
Notifications are keyed per recipient and event, so a second run writes nothing;
each new notification's e-mail is a job of its own, recorded in the same
transaction as the notification.
"""

from __future__ import annotations

from community import outbox, signals
from community.search.index import search_index_threads
from community.services import emails, notifications

EMAIL_NOTIFICATION = "community.email_notification"
EMAIL_DIGEST = "community.email_digest"


def _email(notification_ids: list[int]) -> None:
    outbox.schedule_many(
        EMAIL_NOTIFICATION, [(f"notification:{pk}", {"notification_id": pk}) for pk in notification_ids]
    )


@outbox.handler(signals.post_published, name="community.notify_post_published")
def notify_post_published(*, post_id: int, **event: object) -> None:
    _email(notifications.notify_post_published(post_id=post_id))


@outbox.handler(signals.comment_published, name="community.notify_comment_published")
def notify_comment_published(*, comment_id: int, **event: object) -> None:
    _email(notifications.notify_comment_published(comment_id=comment_id))


@outbox.handler(signals.answer_accepted, name="community.notify_answer_accepted")
def notify_answer_accepted(*, thread_id: int, answer_id: int, actor_id: int | None = None, **event: object) -> None:
    _email(notifications.notify_answer_accepted(thread_id=thread_id, answer_id=answer_id, actor_id=actor_id))


@outbox.handler(
    signals.idea_status_changed, name="community.notify_idea_status_changed", time_limit=90, soft_time_limit=60
)
def notify_idea_status_changed(*, change_id: int, **event: object) -> None:
    _email(notifications.notify_idea_status_changed(change_id=change_id))


# Not atomic: the mail leaves the database. The e-mail service claims the
# notification with a lease and records it sent only after the server accepted it.
# Its hard limit stays under the lease (emails.EMAIL_LEASE), so a live send is never overtaken.
@outbox.handler(name=EMAIL_NOTIFICATION, atomic=False, soft_time_limit=30, time_limit=45)
def email_notification(*, notification_id: int, **event: object) -> None:
    emails.notification_email_send(notification_id=notification_id)


@outbox.handler(name=EMAIL_DIGEST, atomic=False, soft_time_limit=30, time_limit=45)
def email_digest(*, user_id: int, frequency: str, **event: object) -> None:
    emails.digest_send(user_id=user_id, frequency=frequency)


@outbox.handler(name="community.search_index_thread")
def search_index_thread(*, thread_id: int, **event: object) -> None:
    """Rewrite one thread's search document from its current state: a rerun writes the same."""
    search_index_threads([thread_id])
