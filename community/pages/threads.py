"""The thread page's view model: its posts with what each reader may do, labels, URLs and cache entries.

Everything a post's template needs (URLs, permissions, names, ISO dates) is
worked out here once, so the template loop only prints. The reads come from
community/selectors/threads.py; what every reader sees alike (the thread's
row, its posts and comments, the related candidates) is cached here under the
thread's version, and who may see it is decided per request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from community import caching, permissions
from community.attribution import Attribution, comment_attribution, post_attribution
from community.models import Post, PostKind, Thread, ThreadKind
from community.pages.lists import (
    IDEA_STATUS_LABELS,
    KIND_LABELS,
    SimilarThread,
    TagLink,
    author_display,
    author_display_values,
)
from community.selectors import display
from community.selectors import threads as selectors
from community.selectors.links import Links
from community.selectors.spaces import SPACES_SCOPE, visible_space_ids_key
from community.selectors.threads import PostValues

RELATED_LIMIT = 5
RELATED_SCOPE = "related"
RELATED_CACHE_SECONDS = 60 * 60
# A thread's posts are cached until it changes; this bounds what a change of
# an author's display name (which bumps nothing) leaves behind.
THREAD_CONTENT_SECONDS = 10 * 60
# The thread's row (its counters, its author's name): the same bound, for the same reason.
THREAD_ROW_SECONDS = 10 * 60


# --- Cache entries -------------------------------------------------------------------


def thread_row_entry(thread_id: int) -> tuple[tuple[str, str], str]:
    """(scopes, key) of the thread's row in the cache (see thread_get_for_page)."""
    return (caching.thread_row_scope(thread_id), SPACES_SCOPE), "row"


# Part of the content's key: raised when what selectors.thread_content returns changes shape, so that
# entries written by the code before a deployment are not read by the code after it.
CONTENT_FORMAT = 3


def _content_key(answers_page: int, is_staff: bool) -> str:
    return f"content:{CONTENT_FORMAT}:{answers_page}:{int(is_staff)}"


def related_candidates_key(thread_id: int) -> str:
    return f"candidates:{thread_id}"


def similar_entry(*, user, thread_id: int) -> tuple[tuple[str, ...], str]:
    """(scopes, key) of the threads linked to and related to this one that readers of this visibility may see.

    Shared by every reader who sees the same spaces. Stale when the thread
    changes (its tags, its links), when any thread changes (a title, an answer
    count: the lists' scope), when anything is hidden, deleted, restored or
    moved (the visibility scope) and when a space changes.
    """
    scopes = (caching.thread_scope(thread_id), caching.THREADS_SCOPE, caching.VISIBILITY_SCOPE, SPACES_SCOPE)
    return scopes, f"similar:{permissions.visibility_key(user)}"


def thread_page_cache_entries(*, user, thread_id: int, answers_page: int) -> list[tuple[caching.Scopes, str]]:
    """The cache entries thread_get_for_page and thread_page read for this reader, to fetch in one round trip.

    For caching.prefetched. The page of answers is the one asked for; when
    thread_page corrects it (past the last page), that entry is looked up on its own.
    """
    return [
        thread_row_entry(thread_id),
        (caching.thread_scope(thread_id), _content_key(answers_page, permissions.is_staff(user))),
        similar_entry(user=user, thread_id=thread_id),
        (RELATED_SCOPE, related_candidates_key(thread_id)),
        (SPACES_SCOPE, visible_space_ids_key(user)),
    ]


def thread_get_for_page(*, user, thread_id: int) -> Thread:
    """selectors.thread_get_for_user for reading the thread page: the row comes from the cache.

    The row is the same for every reader; who may see it is decided per
    request, as in thread_get_for_user. It is cached under the thread's version
    (bumped by every write to the thread) and the spaces' (bumped by any change
    of a space: its visibility decides who may see the thread, its name is on
    the page). Writes go through thread_get_for_user, which reads the database.
    """
    found = caching.lookup(*thread_row_entry(thread_id), create=False)
    thread = found.value if found.hit else selectors.thread_load(thread_id)
    if thread is not None and not found.hit:
        # Any id can be asked for: only rows that exist are stored (and get a version).
        found.store(thread, THREAD_ROW_SECONDS)
    return selectors.thread_check_visible(user=user, thread=thread)


def _related_candidates(thread_id: int, tag_names: list[str]) -> list[tuple[int, int]]:
    """selectors.related_candidates, cached: a popular tag has thousands of threads, and related links
    need not be live to the minute."""
    # Keyed by the thread alone, so the page can fetch it before it knows the tags; stored with the tags
    # it was built for, and rebuilt when they differ.
    found = caching.lookup(RELATED_SCOPE, related_candidates_key(thread_id))
    if found.hit and found.value[0] == tag_names:
        return found.value[1]
    candidates = selectors.related_candidates(thread_id, tag_names)
    found.store((tag_names, candidates), RELATED_CACHE_SECONDS)
    return candidates


# --- View models ---------------------------------------------------------------------


@dataclass(slots=True)
class CommentItem:
    id: int
    body_html: str
    author_name: str
    author_url: str | None
    created_at: datetime
    created_iso: str
    created_label: str
    is_edited: bool = False
    # What this reader may do with it; the URLs are empty when they may not.
    edit_url: str = ""
    delete_url: str = ""
    # The credit CC BY-SA asks for, on an imported comment.
    attribution: Attribution | None = None


@dataclass(slots=True)
class IdeaStatusStep:
    label: str
    note_html: str
    actor_name: str
    created_at: datetime
    created_iso: str


def _idea_history(thread: Thread) -> list[IdeaStatusStep]:
    """The idea's status changes, newest first, with the staff notes."""
    return [
        IdeaStatusStep(
            label=IDEA_STATUS_LABELS.get(change.to_status, change.to_status),
            note_html=change.note_html,
            actor_name=change.actor.public_name if change.actor else "",
            created_at=change.created_at,
            created_iso=change.created_at.isoformat(),
        )
        for change in selectors.idea_status_changes(thread)
    ]


@dataclass(slots=True)
class PostItem:
    """A post with everything its template needs already decided."""

    post: Post | PostValues
    key: str  # the id as text, for element ids (an int would be localised on every use)
    anchor: str
    author_name: str
    author_url: str | None
    author_initial: str
    created_iso: str
    created_label: str
    edited_iso: str
    edited_label: str
    is_opening: bool
    is_deleted: bool
    # Votes
    my_vote: int
    can_vote: bool
    show_vote_buttons: bool  # also for visitors, whose click leads to sign in
    sign_in_url: str  # visitors only: where the vote buttons lead
    vote_url: str
    up_value: int  # what the up button sends: 0 retracts an up vote
    down_value: int
    # Accepting (answers to questions only)
    offers_accept: bool
    is_accepted: bool
    can_accept: bool
    accept_url: str
    # Editing and comments
    can_edit: bool
    edit_url: str
    history_url: str
    can_comment: bool
    comment_url: str
    # Imported posts credit their original author, source and licence (CC BY-SA).
    attribution: Attribution | None = None
    can_delete: bool = False
    delete_url: str = ""
    comments: list[CommentItem] = field(default_factory=list)


def post_item(
    *,
    user,
    post: Post | PostValues,
    thread: Thread,
    links: Links,
    my_vote: int = 0,
    comments: list[CommentItem] | None = None,
    now: datetime | None = None,
) -> PostItem:
    """Describe one post for the page. `post.thread` must be `thread` (already loaded), so no query runs here."""
    author_name, author_url = author_display(post.author, links)
    anchor = f"post-{post.pk}"
    is_answer_to_question = post.kind == PostKind.ANSWER and thread.kind == ThreadKind.QUESTION
    can_vote = permissions.can_vote(user, post)
    return PostItem(
        post=post,
        key=str(post.pk),
        anchor=anchor,
        author_name=author_name,
        author_url=author_url,
        author_initial=(author_name[:1] or "?").upper(),
        created_iso=post.created_at.isoformat(),
        created_label=display.time_ago(post.created_at, now),
        edited_iso=post.edited_at.isoformat() if post.edited_at else "",
        edited_label=display.time_ago(post.edited_at, now) if post.edited_at else "",
        is_opening=post.kind == PostKind.OPENING,
        is_deleted=post.deleted_at is not None,
        my_vote=my_vote,
        can_vote=can_vote,
        show_vote_buttons=can_vote or not permissions.is_active_member(user),
        sign_in_url="" if user.is_authenticated else links.sign_in(f"{links.thread(thread.pk, thread.slug)}#{anchor}"),
        vote_url=links.post_action("post_vote", post.pk),
        up_value=0 if my_vote == 1 else 1,
        down_value=0 if my_vote == -1 else -1,
        offers_accept=is_answer_to_question,
        is_accepted=thread.accepted_answer_id == post.pk,
        can_accept=is_answer_to_question and permissions.can_accept(user, thread, post),
        accept_url=links.post_action("post_accept", post.pk),
        can_edit=permissions.can_edit_post(user, post),
        edit_url=links.post_action("post_edit", post.pk),
        history_url=links.post_action("post_history", post.pk),
        can_comment=permissions.can_comment(user, post),
        comment_url=links.post_action("comment_create", post.pk),
        attribution=post_attribution(post),
        can_delete=permissions.can_delete_post(user, post),
        delete_url=links.post_action("post_delete", post.pk),
        comments=comments or [],
    )


def post_item_for_user(*, user, post: Post) -> PostItem:
    """One post's widgets after a vote or an accept: reads only the member's vote on it."""
    my_vote = selectors.member_vote(user=user, post=post)
    return post_item(user=user, post=post, thread=post.thread, links=Links(), my_vote=my_vote)


@dataclass(slots=True)
class ThreadPage:
    thread: Thread
    url: str
    space_url: str
    kind_label: str
    idea_status_label: str
    idea_history: list[IdeaStatusStep]
    can_set_idea_status: bool
    author_name: str
    author_url: str | None
    created_iso: str
    created_label: str
    activity_iso: str
    activity_label: str
    views_label: str
    answers_heading: str
    tags: list[TagLink]
    opening: PostItem
    answers: list[PostItem]
    answers_page: int
    answers_pages: int
    has_previous_answers: bool
    has_more_answers: bool
    is_question: bool
    # Me too (questions)
    offers_me_too: bool
    can_me_too: bool
    my_me_too: bool
    me_too_url: str
    # Following
    can_follow: bool
    following: bool
    follow_url: str
    # Replying
    can_reply: bool
    answer_url: str
    # Closed as a duplicate
    duplicate_of_title: str
    duplicate_of_url: str | None
    linked: list[SimilarThread]
    related: list[SimilarThread]


def _comment_items(user, post: PostValues, links: Links, now: datetime) -> list[CommentItem]:
    items = []
    for comment in post.visible_comments:
        name, url = author_display_values(comment.author_username, comment.author_display_name, links)
        may_edit = permissions.can_edit_comment(user, comment, post, now)
        may_delete = may_edit or permissions.can_delete_comment(user, comment, post)
        items.append(
            CommentItem(
                id=comment.pk,
                body_html=comment.body_html,
                author_name=name,
                author_url=url,
                created_at=comment.created_at,
                created_iso=comment.created_at.isoformat(),
                created_label=display.time_ago(comment.created_at, now),
                is_edited=comment.edited_at is not None,
                edit_url=links.post_action("comment_edit", comment.pk) if may_edit else "",
                delete_url=links.post_action("comment_delete", comment.pk) if may_delete else "",
                attribution=comment_attribution(
                    comment,
                    author_name=comment.author_display_name or comment.author_username or "",
                    author_source_id=comment.author_source_id,
                ),
            )
        )
    return items


def _similar(row: dict, links: Links) -> SimilarThread:
    return SimilarThread(
        id=row["id"],
        title=row["title"],
        url=links.thread(row["id"], row["slug"]),
        kind_label=KIND_LABELS.get(row["kind"], row["kind"]),
        answer_count=row["answer_count"],
        answers_label=display.answer_count_label(row["answer_count"]),
        is_solved=row["accepted_answer_id"] is not None,
    )


def _linked_and_related(
    user, thread: Thread, tag_names: list[str], linked_ids: list[int], links: Links
) -> tuple[list[SimilarThread], list[SimilarThread]]:
    """Threads linked to or from this one, and related ones sharing tags: those the reader may see.

    From the cache (similar_entry), else in one query. The entry is stored with
    the tags and links it was built for, and rebuilt when they differ.
    """
    found = caching.lookup(*similar_entry(user=user, thread_id=thread.pk))
    if found.hit and found.value[0] == (tag_names, linked_ids):
        return found.value[1]
    similar = _linked_and_related_rows(user, thread, tag_names, linked_ids, links)
    # No longer than the candidates it was picked from are kept.
    found.store(((tag_names, linked_ids), similar), RELATED_CACHE_SECONDS)
    return similar


def _linked_and_related_rows(
    user, thread: Thread, tag_names: list[str], linked_ids: list[int], links: Links
) -> tuple[list[SimilarThread], list[SimilarThread]]:
    shared = dict(_related_candidates(thread.pk, tag_names)) if tag_names else {}
    wanted = set(shared) | set(linked_ids)
    if not wanted:
        return [], []
    rows = selectors.visible_thread_rows(user=user, thread_ids=sorted(wanted))
    linked_set = set(linked_ids)
    linked = sorted((row for row in rows if row["id"] in linked_set), key=lambda row: (-row["score"], -row["id"]))
    related = sorted(
        (row for row in rows if row["id"] in shared and row["id"] not in linked_set),
        key=lambda row: (-shared[row["id"]], -row["score"], -row["id"]),
    )
    return (
        [_similar(row, links) for row in linked[: selectors.LINKED_LIMIT]],
        [_similar(row, links) for row in related[:RELATED_LIMIT]],
    )


def thread_page(*, user, thread: Thread, answers_page: int = 1) -> ThreadPage:
    """Everything the thread page shows, for this reader. `thread` comes from thread_get_for_user or _for_page."""
    user = permissions.loaded(user)
    links = Links()
    now = timezone.now()
    is_staff = permissions.is_staff(user)
    is_member = permissions.is_active_member(user)
    is_question = thread.kind == ThreadKind.QUESTION

    answers_pages = max(1, math.ceil(thread.answer_count / selectors.ANSWERS_PER_PAGE))
    answers_page = min(max(1, answers_page), answers_pages)
    # Cached under the thread's version: every write to the thread, its posts, comments and votes bumps it.
    content = caching.cached(
        caching.thread_scope(thread.pk),
        _content_key(answers_page, is_staff),
        lambda: selectors.thread_content(thread, answers_page=answers_page, with_deleted=is_staff),
        timeout=THREAD_CONTENT_SECONDS,
    )
    if content is None:  # a thread is written with its opening post; only a broken import lacks one
        raise Http404("No such thread.")
    opening, answer_list, has_more_answers, tag_names, linked_ids = content
    all_posts = [opening, *answer_list]
    for post in all_posts:
        post.thread = thread  # permissions read post.thread; reuse the loaded one

    my_votes: dict[int, int] = {}
    following = my_me_too = False
    if is_member:
        my_votes, following, my_me_too = selectors.reader_state(
            user, thread, [post.pk for post in all_posts], with_me_too=is_question
        )

    items = [
        post_item(
            user=user,
            post=post,
            thread=thread,
            links=links,
            my_vote=my_votes.get(post.pk, 0),
            comments=_comment_items(user, post, links, now),
            now=now,
        )
        for post in all_posts
    ]
    author_name, author_url = author_display(thread.author, links)
    linked, related = _linked_and_related(user, thread, tag_names, linked_ids, links)
    canonical = selectors.duplicate_of_for_user(user=user, thread=thread)
    return ThreadPage(
        thread=thread,
        url=links.thread(thread.pk, thread.slug),
        space_url=links.space(thread.space.slug),
        kind_label=KIND_LABELS.get(thread.kind, thread.kind),
        idea_status_label=IDEA_STATUS_LABELS.get(thread.idea_status, ""),
        idea_history=_idea_history(thread),
        can_set_idea_status=thread.kind == ThreadKind.IDEA and permissions.can_moderate(user, thread.space),
        author_name=author_name,
        author_url=author_url,
        created_iso=thread.created_at.isoformat(),
        created_label=display.time_ago(thread.created_at, now),
        activity_iso=thread.last_activity_at.isoformat(),
        activity_label=display.time_ago(thread.last_activity_at, now),
        views_label=display.views_label(thread.view_count),
        answers_heading=display.answers_heading(thread.answer_count, question=is_question),
        tags=[TagLink(name, links.tag(name)) for name in tag_names],
        opening=items[0],
        answers=items[1:],
        answers_page=answers_page,
        answers_pages=answers_pages,
        has_previous_answers=answers_page > 1,
        has_more_answers=has_more_answers,
        is_question=is_question,
        offers_me_too=is_question,
        can_me_too=is_question and is_member and thread.author_id != user.pk,
        my_me_too=my_me_too,
        me_too_url=links.thread_action("thread_me_too", thread.pk),
        can_follow=is_member,
        following=following,
        follow_url=links.thread_action("thread_follow", thread.pk),
        can_reply=permissions.can_reply(user, thread),
        answer_url=links.thread_action("answer_create", thread.pk),
        duplicate_of_title=canonical.title if canonical else "",
        duplicate_of_url=links.thread(canonical.pk, canonical.slug) if canonical else None,
        linked=linked,
        related=related,
    )
