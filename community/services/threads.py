"""Writes for threads: asking and me-too. Moderators' actions on threads live in moderation.services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import caching, permissions
from community.models import MeToo, Post, PostKind, Revision, Space, Thread, ThreadKind
from community.models.threads import EXCERPT_LENGTH, IdeaStatus
from community.rendering import excerpt
from community.services.content import check_body, check_title, clean_tags, render_body, thread_slug
from community.services.written import content_written
from community.signals import post_published


@transaction.atomic
def thread_create(
    *, author: User, space: Space, kind: str, title: str, body: str, tags: list[str] | str = ()
) -> Thread:
    """Open a thread with its opening post and first revision, then announce the post on commit."""
    if not permissions.can_post_in_space(author, space):
        raise PermissionDenied(_("You cannot post in this space."))
    if kind not in ThreadKind.values:
        raise ValidationError({"kind": _("Choose a kind of thread.")})
    # Collect every field's problem at once, so the form shows them all.
    errors: dict[str, list] = {}
    for check, value in ((check_title, title), (check_body, body), (clean_tags, tags)):
        try:
            check(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    title, body, tag_names = check_title(title), check_body(body), clean_tags(tags)

    now = timezone.now()
    body_html = render_body(body)
    thread = Thread.objects.create(
        space=space,
        kind=kind,
        title=title,
        slug=thread_slug(title),
        author=author,
        created_at=now,
        last_activity_at=now,
        idea_status=IdeaStatus.NEW if kind == ThreadKind.IDEA else "",
        excerpt=excerpt(body_html, EXCERPT_LENGTH),
    )
    post = Post.objects.create(
        thread=thread, kind=PostKind.OPENING, author=author, body=body, body_html=body_html, created_at=now
    )
    Revision.objects.create(
        post=post, number=1, author=author, title=title, tags=" ".join(tag_names), body=body, created_at=now
    )
    if tag_names:
        thread.tags.set(tag_names)
    content_written(
        thread_id=thread.pk,
        signal=post_published,
        sender=Post,
        payload={"post_id": post.pk, "thread_id": thread.pk, "author_id": author.pk, "kind": PostKind.OPENING.value},
        follower=author,
    )
    return thread


@transaction.atomic
def me_too_set(*, thread: Thread, member: User, on: bool) -> bool:
    """Say (or unsay) 'I have this question too'. Returns whether anything changed."""
    if thread.kind != ThreadKind.QUESTION:
        raise ValidationError(_("Only questions take a 'me too'."))
    if not permissions.is_active_member(member) or not permissions.can_view_thread(member, thread):
        raise PermissionDenied(_("Sign in to say you have this question too."))
    if thread.author_id == member.pk:
        raise ValidationError(_("You asked this question."))
    if on:
        try:
            with transaction.atomic():
                MeToo.objects.create(thread=thread, member=member)
        except IntegrityError:
            return False
        Thread.objects.filter(pk=thread.pk).update(me_too_count=F("me_too_count") + 1)
        caching.content_changed(thread.pk)
        return True
    deleted, _rows = MeToo.objects.filter(thread=thread, member=member).delete()
    if deleted:
        Thread.objects.filter(pk=thread.pk).update(me_too_count=F("me_too_count") - 1)
        caching.content_changed(thread.pk)
    return bool(deleted)
