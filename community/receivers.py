"""Receivers for community's own signals: they only enqueue tasks.

The services send these signals from transaction.on_commit, so a rolled-back
write enqueues nothing.
"""

from __future__ import annotations

from django.dispatch import receiver

from community import signals, tasks


@receiver(signals.post_published, dispatch_uid="community.notify_post_published")
def _post_published(sender, post_id: int, **kwargs) -> None:
    tasks.notify_post_published.delay(post_id)


@receiver(signals.comment_published, dispatch_uid="community.notify_comment_published")
def _comment_published(sender, comment_id: int, **kwargs) -> None:
    tasks.notify_comment_published.delay(comment_id)


@receiver(signals.answer_accepted, dispatch_uid="community.notify_answer_accepted")
def _answer_accepted(sender, thread_id: int, answer_id: int, actor_id: int | None = None, **kwargs) -> None:
    tasks.notify_answer_accepted.delay(thread_id, answer_id, actor_id)


@receiver(signals.idea_status_changed, dispatch_uid="community.notify_idea_status_changed")
def _idea_status_changed(sender, change_id: int, **kwargs) -> None:
    tasks.notify_idea_status_changed.delay(change_id)
