"""Reads for single posts: fetching one for an action, and its revision history with diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404

from community import permissions
from community.models import BodyFormat, Comment, Post, PostKind, Revision
from community.pages.lists import author_display
from community.rendering.html_markdown import html_to_markdown
from community.selectors.links import Links

HISTORY_LIMIT = 100
DIFF_CONTEXT_LINES = 2


def post_get_for_user(*, user, post_id: int) -> Post:
    """A post whose thread the user may see, with its thread and space loaded, or 404.

    Deleted posts exist only for staff.
    """
    post = Post.objects.select_related("thread__space", "thread__author", "author__profile").filter(pk=post_id).first()
    if (
        post is None
        or not permissions.can_view_thread(user, post.thread)
        or (post.deleted_at is not None and not permissions.is_staff(user))
    ):
        raise Http404("No such post.")
    return post


def comment_get_for_user(*, user, comment_id: int) -> Comment:
    """A comment the user may see, with its post, thread and space loaded, or 404. Deleted ones exist for no one."""
    comment = (
        Comment.objects.select_related("post__thread__space", "post__thread__author", "author")
        .filter(pk=comment_id, deleted_at__isnull=True, post__deleted_at__isnull=True)
        .first()
    )
    if comment is None or not permissions.can_view_thread(user, comment.post.thread):
        raise Http404("No such comment.")
    return comment


def revision_get(*, post: Post, number: int) -> Revision:
    revision = Revision.objects.filter(post=post, number=number).first()
    if revision is None:
        raise Http404("No such revision.")
    return revision


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "added", "removed", "context" or "hunk"
    text: str


@dataclass(frozen=True, slots=True)
class RevisionItem:
    number: int
    author_name: str
    author_url: str | None
    created_at: datetime
    created_iso: str
    reason: str
    title: str
    old_title: str
    tags: str
    old_tags: str
    body_diff: list[DiffLine]
    is_original: bool
    is_current: bool
    rollback_url: str


@dataclass(frozen=True, slots=True)
class PostHistory:
    post: Post
    thread_title: str
    post_url: str
    is_opening: bool
    can_rollback: bool
    revisions: list[RevisionItem]  # newest first


def body_diff(old: str, new: str) -> list[DiffLine]:
    """A line diff of two bodies, as plain text lines the template escapes."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=DIFF_CONTEXT_LINES):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            if lines:  # a gap between two changed stretches
                lines.append(DiffLine("hunk", "…"))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return lines


def _editable(revision: Revision) -> str:
    # An imported HTML revision reads as the Markdown an edit starts from, so the
    # first edit's diff shows what the editor changed, not the change of format.
    return html_to_markdown(revision.body) if revision.body_format == BodyFormat.HTML else revision.body


def post_history(*, user, post: Post) -> PostHistory:
    """The post's revisions, newest first, each diffed against the one before it."""
    links = Links()
    # One more than shown, so the oldest shown revision still has its predecessor to diff against.
    revisions = list(
        Revision.objects.filter(post=post).select_related("author__profile").order_by("-number")[: HISTORY_LIMIT + 1]
    )
    can_rollback = permissions.can_edit_post(user, post)
    latest = revisions[0].number if revisions else 0
    items = []
    for index, revision in enumerate(revisions[:HISTORY_LIMIT]):
        previous = revisions[index + 1] if index + 1 < len(revisions) else None
        name, url = author_display(revision.author, links)
        items.append(
            RevisionItem(
                number=revision.number,
                author_name=name,
                author_url=url,
                created_at=revision.created_at,
                created_iso=revision.created_at.isoformat(),
                reason=revision.reason,
                title=revision.title,
                old_title=previous.title if previous else revision.title,
                tags=revision.tags,
                old_tags=previous.tags if previous else revision.tags,
                body_diff=(
                    body_diff(_editable(previous), _editable(revision))
                    if previous
                    else [DiffLine("context", line) for line in _editable(revision).splitlines()]
                ),
                is_original=previous is None,
                is_current=revision.number == latest,
                rollback_url=links.template("post_rollback", int, int).format(post.pk, revision.number),
            )
        )
    return PostHistory(
        post=post,
        thread_title=post.thread.title,
        post_url=f"{links.thread(post.thread_id, post.thread.slug)}#post-{post.pk}",
        is_opening=post.kind == PostKind.OPENING,
        can_rollback=can_rollback,
        revisions=items,
    )
