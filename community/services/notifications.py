"""Who hears about what. Called from tasks with ids; every write is keyed so a rerun changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import EmailFrequency, Profile, User
from community import permissions
from community.models import Comment, IdeaStatusChange, Post, PostKind, Thread, Vote
from community.models.notifications import Follow, Notification, NotificationKind
from community.rendering import extract_mentions
from community.selectors.notifications import notifications_changed

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "rapport.notifications.unsubscribe"


def _visible_recipients(user_ids: Iterable[int], thread: Thread) -> dict[int, User]:
    """Active members among `user_ids` who may see the thread: private spaces never leak by notification."""
    users = User.objects.filter(pk__in=set(user_ids), is_active=True)
    return {user.pk: user for user in users if permissions.can_view_thread(user, thread)}


def _mentioned_ids(source: str) -> list[int]:
    names = extract_mentions(source)
    if not names:
        return []
    return list(User.objects.filter(username__in=names, is_active=True).values_list("pk", flat=True))


def _write(
    *, key: str, thread: Thread, actor_id: int | None, wanted: dict[int, str], post=None, comment=None
) -> list[int]:
    """Create one notification per recipient for this event; return the ids of those not yet emailed."""
    wanted = {uid: kind for uid, kind in wanted.items() if uid and uid != actor_id}
    recipients = _visible_recipients(wanted, thread)
    if not recipients:
        return []
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=uid,
                kind=wanted[uid],
                key=key,
                actor_id=actor_id,
                thread=thread,
                post=post,
                comment=comment,
                created_at=now,
            )
            for uid in recipients
        ],
        ignore_conflicts=True,
    )
    notifications_changed(*recipients)
    return list(
        Notification.objects.filter(key=key, recipient_id__in=recipients, emailed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def notify_post_published(*, post_id: int) -> list[int]:
    """Tell the asker about an answer, followers about activity, and @mentioned members."""
    post = Post.objects.select_related("thread__space").filter(pk=post_id, deleted_at__isnull=True).first()
    if post is None:
        log.info("post %s vanished before notifying", post_id)
        return []
    thread = post.thread
    wanted: dict[int, str] = {}
    followers = Follow.objects.filter(thread=thread).values_list("member_id", flat=True)
    if post.kind == PostKind.OPENING:
        tag_ids = thread.tags.values_list("pk", flat=True)
        followers = (
            Follow.objects.filter(space=thread.space_id)
            .values_list("member_id", flat=True)
            .union(Follow.objects.filter(tag__in=tag_ids).values_list("member_id", flat=True))
        )
    for uid in followers:
        wanted[uid] = NotificationKind.WATCHED
    if post.kind == PostKind.ANSWER and thread.author_id:
        wanted[thread.author_id] = NotificationKind.ANSWER
    for uid in _mentioned_ids(post.body):
        wanted[uid] = NotificationKind.MENTION  # the most specific reason wins
    return _write(key=f"post:{post.pk}", thread=thread, actor_id=post.author_id, wanted=wanted, post=post)


def notify_comment_published(*, comment_id: int) -> list[int]:
    comment = Comment.objects.select_related("post__thread__space").filter(pk=comment_id).first()
    if comment is None or comment.deleted_at is not None:
        log.info("comment %s vanished before notifying", comment_id)
        return []
    wanted: dict[int, str] = {}
    if comment.post.author_id:
        wanted[comment.post.author_id] = NotificationKind.COMMENT
    for uid in _mentioned_ids(comment.body):
        wanted[uid] = NotificationKind.MENTION
    return _write(
        key=f"comment:{comment.pk}",
        thread=comment.post.thread,
        actor_id=comment.author_id,
        wanted=wanted,
        post=comment.post,
        comment=comment,
    )


def notify_answer_accepted(*, thread_id: int, answer_id: int, actor_id: int | None) -> list[int]:
    answer = Post.objects.select_related("thread__space").filter(pk=answer_id, thread_id=thread_id).first()
    if answer is None or answer.thread.accepted_answer_id != answer.pk or not answer.author_id:
        return []  # un-accepted again before we got here, or the author is gone
    return _write(
        key=f"accepted:{answer.pk}",
        thread=answer.thread,
        actor_id=actor_id,
        wanted={answer.author_id: NotificationKind.ACCEPTED},
        post=answer,
    )


def notify_idea_status_changed(*, change_id: int) -> list[int]:
    """Everyone who voted for the idea (and its author) hears that it moved, with the staff note."""
    change = IdeaStatusChange.objects.select_related("thread__space").filter(pk=change_id).first()
    if change is None:
        return []
    thread = change.thread
    voters = Vote.objects.filter(post__thread=thread, post__kind=PostKind.OPENING, value=1)
    wanted = dict.fromkeys(voters.values_list("voter_id", flat=True), NotificationKind.IDEA_STATUS)
    if thread.author_id:
        wanted[thread.author_id] = NotificationKind.IDEA_STATUS
    return _write(key=f"idea_status:{change.pk}", thread=thread, actor_id=change.actor_id, wanted=wanted)


@transaction.atomic
def follow_set(*, member: User, on: bool, thread: Thread | None = None, space=None, tag=None) -> bool:
    """Follow or unfollow one thread, space or tag. Returns whether anything changed."""
    target = {"thread": thread, "space": space, "tag": tag}
    if sum(value is not None for value in target.values()) != 1:
        raise ValueError("follow exactly one thing")
    if not permissions.is_active_member(member):
        raise PermissionDenied(_("Sign in to follow."))
    if on:
        try:
            with transaction.atomic():
                Follow.objects.create(member=member, **target)
        except IntegrityError:
            return False
        return True
    deleted, _rows = Follow.objects.filter(member=member, **{k: v for k, v in target.items() if v is not None}).delete()
    return bool(deleted)


def notifications_mark_read(*, member: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the member's notifications read. Returns how many changed."""
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    if changed:
        notifications_changed(member.pk)
    return changed


def unsubscribe_token(user: User) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_from_token(token: str) -> User | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=data.get("u")).first()


def email_frequency_set(*, member: User, frequency: str) -> bool:
    if frequency not in EmailFrequency.values:
        raise ValidationError({"email_frequency": _("Choose how often to be emailed.")})
    profile, _created = Profile.objects.get_or_create(user=member)
    if profile.email_frequency == frequency:
        return False
    Profile.objects.filter(pk=profile.pk).update(email_frequency=frequency)
    return True
