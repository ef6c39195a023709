"""Receivers of model signals: they only invalidate caches.

Work that follows community's own events is done by outbox handlers
(community/handlers.py), never by receivers.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from taggit.models import Tag

from community import caching
from community.models import Comment, Post, Space, TagInfo, Thread
from community.selectors.lists import TAGS_SCOPE
from community.selectors.spaces import SPACES_SCOPE


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
