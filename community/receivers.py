"""Receivers: community's own signals enqueue tasks; model signals only invalidate caches.

The services send their signals after commit (signals.send_on_commit), so a
rolled-back write enqueues nothing. Moderation, rewards and insights connect
their own receivers to the same signals in their AppConfig.ready.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from community import caching, signals, tasks
from community.models import Comment, Post, Space, TagInfo, Thread
from community.selectors.lists import TAGS_SCOPE
from community.selectors.spaces import SPACES_SCOPE


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


@receiver([post_save, post_delete], sender=Space, dispatch_uid="community.spaces_changed")
def _space_changed(sender, **kwargs) -> None:
    # Cache invalidation only: whoever writes a space (admin, import, demo), lists see it at once.
    caching.bump(SPACES_SCOPE)
    caching.content_changed()


@receiver([post_save, post_delete], sender=Thread, dispatch_uid="community.thread_saved")
@receiver([post_save, post_delete], sender=Post, dispatch_uid="community.post_saved")
@receiver([post_save, post_delete], sender=Comment, dispatch_uid="community.comment_saved")
def _content_saved(sender, instance, **kwargs) -> None:
    # Services bump cached pages themselves (their UPDATEs send no signal); this
    # catches saves from elsewhere, such as the admin.
    if isinstance(instance, Thread):
        caching.content_changed(instance.pk)
    elif isinstance(instance, Post):
        caching.content_changed(instance.thread_id)
    else:
        # The services create a comment with its post loaded: no row to read for them.
        if Comment.post.is_cached(instance):
            caching.content_changed(instance.post.thread_id)
        else:
            caching.content_changed(
                Post.objects.filter(pk=instance.post_id).values_list("thread_id", flat=True).first()
            )


@receiver([post_save, post_delete], sender=Tag, dispatch_uid="community.tag_saved")
def _tag_saved(sender, created: bool = False, **kwargs) -> None:
    # Tag ids are cached by name: a renamed or deleted tag must not keep its old name's id.
    if not created:
        caching.bump(TAGS_SCOPE)
        caching.content_changed()


@receiver([post_save, post_delete], sender=TagInfo, dispatch_uid="community.tag_info_saved")
def _tag_info_saved(sender, **kwargs) -> None:
    caching.content_changed()  # tag pages show the description
