"""Writes for answers, replies, comments and edits (with revisions), and members deleting their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import caching, permissions
from community.models import BodyFormat, Comment, Post, PostKind, Revision, Thread
from community.models.threads import EXCERPT_LENGTH
from community.outbox import publish
from community.rendering import excerpt, sanitize_html
from community.rendering.html_markdown import html_to_markdown
from community.search.index import search_index_thread
from community.services.content import check_body, check_title, clean_tags, render_body, thread_slug
from community.services.counters import thread_counters_recompute
from community.services.written import content_written
from community.signals import (
    comment_hidden,
    comment_published,
    post_edited,
    post_hidden,
    post_published,
)


@transaction.atomic
def answer_create(*, author: User, thread: Thread, body: str) -> Post:
    """Answer a question (or reply in a discussion) and bump the thread's activity."""
    if not permissions.can_reply(author, thread):
        if thread.locked_at or thread.closed_at:
            raise PermissionDenied(_("This thread is closed to new answers."))
        raise PermissionDenied(_("You cannot answer in this thread."))
    body = check_body(body)
    now = timezone.now()
    post = Post.objects.create(
        thread=thread, kind=PostKind.ANSWER, author=author, body=body, body_html=render_body(body), created_at=now
    )
    Revision.objects.create(post=post, number=1, author=author, body=body, created_at=now)
    Thread.objects.filter(pk=thread.pk).update(answer_count=F("answer_count") + 1, last_activity_at=now)
    content_written(
        thread_id=thread.pk,
        signal=post_published,
        sender=Post,
        payload={"post_id": post.pk, "thread_id": thread.pk, "author_id": author.pk, "kind": PostKind.ANSWER.value},
        follower=author,
    )
    return post


@transaction.atomic
def comment_create(*, author: User, post: Post, body: str) -> Comment:
    if not permissions.can_comment(author, post):
        raise PermissionDenied(_("You cannot comment here."))
    body = check_body(body, comment=True)
    now = timezone.now()
    comment = Comment.objects.create(post=post, author=author, body=body, body_html=render_body(body), created_at=now)
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    Thread.objects.filter(pk=post.thread_id).update(comment_count=F("comment_count") + 1, last_activity_at=now)
    content_written(
        thread_id=post.thread_id,
        signal=comment_published,
        sender=Comment,
        payload={"comment_id": comment.pk, "post_id": post.pk, "thread_id": post.thread_id, "author_id": author.pk},
        reindex=False,  # comments are not part of a thread's search document
    )
    return comment


def post_body_for_editing(post: Post) -> str:
    """The text the editor opens with: the post's Markdown, converted from HTML for a post imported without it.

    The conversion renders as the HTML showed (community.rendering.html_markdown),
    so saving it unchanged changes nothing (see post_edit).
    """
    if post.body_format == BodyFormat.HTML:
        return html_to_markdown(post.body)
    return post.body


def _same_text(sent: str, shown: str) -> bool:
    # Browsers send a textarea's line breaks as CRLF.
    return sent.replace("\r\n", "\n").strip() == shown.replace("\r\n", "\n").strip()


@transaction.atomic
def post_edit(
    *,
    post: Post,
    editor: User,
    body: str,
    reason: str = "",
    title: str | None = None,
    tags: list[str] | str | None = None,
    body_format: BodyFormat = BodyFormat.MARKDOWN,
) -> Revision | None:
    """Edit a post, keeping a revision. Title and tags apply to opening posts only.

    `body` is Markdown; only a rollback to a revision that holds HTML passes
    `body_format` HTML. Returns the new revision, or None when nothing changed.
    """
    if not permissions.can_edit_post(editor, post):
        if post.thread.locked_at:
            raise PermissionDenied(_("This thread is locked; it cannot be edited."))
        raise PermissionDenied(_("You cannot edit this post."))
    body = check_body(body)
    thread = post.thread
    is_opening = post.kind == PostKind.OPENING
    new_title = check_title(title) if (is_opening and title is not None) else thread.title
    current_tags = sorted(thread.tags.names()) if is_opening else []
    new_tags = clean_tags(tags) if (is_opening and tags is not None) else current_tags
    # An HTML post's editor shows its conversion: saving that unchanged keeps the post as it is.
    same_body = (body, body_format) == (post.body, post.body_format) or (
        body_format == BodyFormat.MARKDOWN and _same_text(body, post_body_for_editing(post))
    )
    if same_body and new_title == thread.title and sorted(new_tags) == current_tags:
        return None

    now = timezone.now()
    locked = Post.objects.select_for_update().get(pk=post.pk)
    number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    if same_body:  # only the title or tags changed: the body stays as it is, in its format
        body, body_format, body_html = post.body, post.body_format, post.body_html
    elif body_format == BodyFormat.HTML:
        body_html = sanitize_html(body)
    else:
        body_html = render_body(body)
    Post.objects.filter(pk=post.pk).update(body=body, body_format=body_format, body_html=body_html, edited_at=now)
    if is_opening:
        Thread.objects.filter(pk=thread.pk).update(
            title=new_title,
            slug=thread_slug(new_title),
            last_activity_at=now,
            excerpt=excerpt(body_html, EXCERPT_LENGTH),
        )
        thread.tags.set(new_tags)
    revision = Revision.objects.create(
        post=post,
        number=number,
        author=editor,
        title=new_title if is_opening else "",
        tags=" ".join(new_tags),
        body=body,
        body_format=body_format,
        reason=reason.strip()[:300],
        created_at=now,
    )
    content_written(
        thread_id=thread.pk,
        signal=post_edited,
        sender=Post,
        payload={"post_id": post.pk, "thread_id": thread.pk, "editor_id": editor.pk, "revision_number": number},
        # An answer's edit writes no column of the thread; an opening post's writes its title and activity.
        thread_row=is_opening,
    )
    post.refresh_from_db()
    return revision


def post_rollback(*, post: Post, revision: Revision, editor: User) -> Revision | None:
    """Restore an earlier revision as a new revision (history is never rewritten)."""
    if revision.post_id != post.pk:
        raise ValidationError(_("That revision belongs to another post."))
    is_opening = post.kind == PostKind.OPENING
    return post_edit(
        post=post,
        editor=editor,
        body=revision.body,
        body_format=BodyFormat(revision.body_format),
        reason=_("Rolled back to revision %(n)d") % {"n": revision.number},
        title=revision.title if is_opening and revision.title else None,
        tags=revision.tags if is_opening else None,
    )


@transaction.atomic
def answer_delete(*, post: Post, actor: User) -> bool:
    """Soft-delete an answer: it leaves the pages, the counts and the search index. Returns False when it
    was deleted already.

    The thread row is locked first, so an accept running at the same time either
    sees the answer deleted or is seen here (an accepted answer its author may
    not delete).
    """
    thread = Thread.objects.select_for_update().select_related("space").get(pk=post.thread_id)
    post.thread = thread
    if not permissions.can_delete_post(actor, post):
        if post.deleted_at is not None:
            return False
        if thread.accepted_answer_id == post.pk and post.author_id == actor.pk:
            raise PermissionDenied(_("An accepted answer cannot be deleted by its author."))
        raise PermissionDenied(_("You cannot delete this answer."))
    now = timezone.now()
    if not Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(deleted_at=now):
        return False
    post.deleted_at = now
    if thread.accepted_answer_id == post.pk:
        # Staff removed the accepted answer: the question is open again.
        Thread.objects.filter(pk=thread.pk).update(accepted_answer=None)
        thread.accepted_answer_id = None
    _content_removed(thread.pk)
    search_index_thread(thread.pk)
    publish(post_hidden, sender=Post, post_id=post.pk, thread_id=thread.pk, actor_id=actor.pk)
    return True


@transaction.atomic
def comment_delete(*, comment: Comment, actor: User) -> bool:
    """Soft-delete a comment. `comment.post.thread` must be loaded. Returns False when it was deleted already."""
    if not permissions.can_delete_comment(actor, comment, comment.post):
        if comment.deleted_at is not None:
            return False
        raise PermissionDenied(_("You cannot delete this comment."))
    now = timezone.now()
    # A conditional UPDATE: of two deletes at once, one wins and the other changes nothing.
    if not Comment.objects.filter(pk=comment.pk, deleted_at__isnull=True).update(deleted_at=now):
        return False
    comment.deleted_at = now
    thread_id = comment.post.thread_id
    _content_removed(thread_id)
    publish(
        comment_hidden,
        sender=Comment,
        comment_id=comment.pk,
        post_id=comment.post_id,
        thread_id=thread_id,
        actor_id=actor.pk,
    )
    return True


@transaction.atomic
def comment_edit(*, comment: Comment, editor: User, body: str) -> bool:
    """Change a comment's text. `comment.post.thread` must be loaded. Returns False when nothing changed."""
    if not permissions.can_edit_comment(editor, comment, comment.post):
        if permissions.can_delete_comment(editor, comment, comment.post):
            raise PermissionDenied(_("The time to edit this comment has passed; you can still delete it."))
        raise PermissionDenied(_("You cannot edit this comment."))
    body = check_body(body, comment=True)
    if body == comment.body:
        return False
    now = timezone.now()
    html = render_body(body)
    Comment.objects.filter(pk=comment.pk).update(body=body, body_html=html, edited_at=now)
    comment.body, comment.body_html, comment.edited_at = body, html, now
    # The thread's row (its counters, its activity) is as it was.
    caching.content_changed(comment.post.thread_id, thread_row=False)
    return True


def _content_removed(thread_id: int) -> None:
    # Counters are recounted from the rows, not decremented: a repeat or a race cannot skew them.
    thread_counters_recompute(thread_ids=[thread_id])
    # Hidden content must leave every cached page that may show it, not only its thread's.
    caching.visibility_changed(thread_id)
