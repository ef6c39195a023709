"""Pure predicates about who may do what. Views, templates, selectors and tasks all ask here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from community.models import Comment, Post, PostKind, Space, Thread, ThreadKind, Visibility


def loaded(user):
    """The user behind request.user's lazy proxy, loading it if need be; any other user as it is.

    Every attribute read on the proxy passes through a wrapper, and a page of
    fifty answers asks the reader's permissions a few hundred times.
    """
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def is_active_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_staff(user) -> bool:
    return is_active_member(user) and user.is_staff


def visibility_key(user) -> str:
    """visible_visibilities as text for cache keys: readers with the same key see the same spaces."""
    return ",".join(sorted(visible_visibilities(user)))


def can_view_space(user, space: Space) -> bool:
    if space.visibility == Visibility.PUBLIC:
        return True
    if space.visibility == Visibility.MEMBERS:
        return is_active_member(user)
    return is_staff(user)


def visible_visibilities(user) -> list[str]:
    """The space visibilities this user may see, for filtering querysets."""
    if is_staff(user):
        return [Visibility.PUBLIC, Visibility.MEMBERS, Visibility.STAFF]
    if is_active_member(user):
        return [Visibility.PUBLIC, Visibility.MEMBERS]
    return [Visibility.PUBLIC]


def can_view_thread(user, thread: Thread) -> bool:
    if thread.deleted_at is not None and not is_staff(user):
        return False
    return can_view_space(user, thread.space)


def can_post_in_space(user, space: Space) -> bool:
    return is_active_member(user) and can_view_space(user, space)


def can_reply(user, thread: Thread) -> bool:
    if not can_post_in_space(user, thread.space) or thread.deleted_at is not None:
        return False
    if thread.kind == ThreadKind.ARTICLE and not is_staff(user) and thread.author_id != user.pk:
        # Articles take comments, not answers, from readers.
        return False
    return is_staff(user) or (thread.locked_at is None and thread.closed_at is None)


def can_comment(user, post: Post) -> bool:
    thread = post.thread
    return (
        post.deleted_at is None
        and can_post_in_space(user, thread.space)
        and (is_staff(user) or thread.locked_at is None)
    )


def can_vote(user, post: Post) -> bool:
    return (
        is_active_member(user)
        and post.author_id != user.pk
        and post.deleted_at is None
        and can_view_thread(user, post.thread)
        and post.thread.locked_at is None
    )


def can_accept(user, thread: Thread, answer: Post | None = None) -> bool:
    if thread.kind != ThreadKind.QUESTION or not is_active_member(user):
        return False
    if answer is not None and (answer.thread_id != thread.pk or answer.kind != PostKind.ANSWER):
        return False
    return thread.author_id == user.pk or is_staff(user)


def can_edit_post(user, post: Post) -> bool:
    if not is_active_member(user):
        return False
    if is_staff(user):
        return True
    return post.author_id == user.pk and post.thread.locked_at is None and post.deleted_at is None


def can_delete_post(user, post: Post) -> bool:
    """Answers only (an opening post is its thread). Authors may not delete the answer the asker accepted,
    as on Stack Overflow: it would take the solution away from everyone who finds the question."""
    if not is_active_member(user) or post.kind != PostKind.ANSWER or post.deleted_at is not None:
        return False
    if is_staff(user):
        return True
    thread = post.thread
    return post.author_id == user.pk and thread.accepted_answer_id != post.pk and thread.locked_at is None


def can_delete_comment(user, comment: Comment, post: Post) -> bool:
    """`post` is the comment's post, with its thread loaded."""
    if not is_active_member(user) or comment.deleted_at is not None:
        return False
    return is_staff(user) or (comment.author_id == user.pk and post.thread.locked_at is None)


def comment_edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + timedelta(seconds=settings.RAPPORT_COMMENT_EDIT_SECONDS)


def can_edit_comment(user, comment: Comment, post: Post, now: datetime | None = None) -> bool:
    """The author within RAPPORT_COMMENT_EDIT_SECONDS of posting (a comment is a quick remark, not a
    document others build on, as on Stack Overflow); staff at any time."""
    if not can_delete_comment(user, comment, post):
        return False
    return is_staff(user) or (now or timezone.now()) < comment_edit_deadline(comment)


def can_moderate(user, space: Space | None = None) -> bool:
    return is_staff(user)
