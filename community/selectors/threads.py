"""The thread page: a thread, its posts in reading order, their comments, and the reader's own votes.

The page costs the same handful of queries however many answers and comments
it shows (tests/community/test_views_threads.py holds it to that):

1. the reader's votes on those posts, their follow and their "me too"
   (members only, one query);
2. threads linked to this one and related ones sharing a tag (and, when not
   cached, 3. the related candidates).

What every reader sees alike comes from the cache until the thread changes;
when it does not: 4. the thread, with its space and author; 5. the opening
post and 6. one page of answers, each with author and profile; 7. every
comment on those posts, with authors, in one prefetch; 8. its tags; 9. the
ids of linked threads.

Everything a post's template needs (URLs, permissions, names, ISO dates) is
worked out here once, so the template loop only prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from community import caching, permissions
from community.attribution import Attribution, post_attribution
from community.models import (
    Comment,
    Follow,
    IdeaStatusChange,
    MeToo,
    Post,
    PostKind,
    Thread,
    ThreadKind,
    ThreadLink,
    Vote,
)
from community.selectors import display
from community.selectors.links import Links
from community.selectors.lists import IDEA_STATUS_LABELS, KIND_LABELS, SimilarThread, TagLink, author_display
from community.selectors.spaces import SPACES_SCOPE, visible_space_ids, visible_space_ids_key
from community.selectors.tags import thread_tag_names, thread_tagged_items

ANSWERS_PER_PAGE = 50
RELATED_LIMIT = 5
LINKED_LIMIT = 10
# Related threads are picked among this many candidates sharing the most tags.
RELATED_CANDIDATES = 50
RELATED_SCOPE = "related"
RELATED_CACHE_SECONDS = 60 * 60
# A thread's posts are cached until it changes; this bounds what a change of
# an author's display name (which bumps nothing) leaves behind.
THREAD_CONTENT_SECONDS = 10 * 60
# The thread's row (its counters, its author's name): the same bound, for the same reason.
THREAD_ROW_SECONDS = 10 * 60

# (opening post, answers, whether more answers follow, tag names, ids of linked threads)
ThreadContent = tuple[Post, list[Post], bool, list[str], list[int]]


def _threads_for_page() -> QuerySet[Thread]:
    # The columns a page never shows stay behind: building the query and its
    # model instances costs more Python than PostgreSQL takes to answer it.
    return Thread.objects.select_related("space", "author__profile").defer(
        "excerpt", "source", "source_id", "author__password", "author__profile__bio"
    )


def thread_get_for_user(*, user, thread_id: int) -> Thread:
    """A thread the user may see, or 404 (private spaces and deleted threads are not admitted to exist)."""
    thread = _threads_for_page().filter(pk=thread_id).first()
    if thread is None or not permissions.can_view_thread(user, thread):
        raise Http404("No such thread.")
    return thread


def thread_row_entry(thread_id: int) -> tuple[tuple[str, str], str]:
    """(scopes, key) of the thread's row in the cache (see thread_get_for_page)."""
    return (caching.thread_scope(thread_id), SPACES_SCOPE), "row"


def _content_key(answers_page: int, is_staff: bool) -> str:
    return f"content:{answers_page}:{int(is_staff)}"


def thread_page_cache_entries(*, user, thread_id: int, answers_page: int) -> list[tuple[caching.Scopes, str]]:
    """The cache entries thread_get_for_page and thread_page read for this reader, to fetch in one round trip.

    For caching.prefetched. The page of answers is the one asked for; when
    thread_page corrects it (past the last page), that entry is looked up on its own.
    """
    return [
        thread_row_entry(thread_id),
        (caching.thread_scope(thread_id), _content_key(answers_page, permissions.is_staff(user))),
        (RELATED_SCOPE, related_candidates_key(thread_id)),
        (SPACES_SCOPE, visible_space_ids_key(user)),
    ]


def thread_get_for_page(*, user, thread_id: int) -> Thread:
    """thread_get_for_user for reading the thread page: the row comes from the cache.

    The row is the same for every reader; who may see it is decided here per
    request, as in thread_get_for_user. It is cached under the thread's version
    (bumped by every write to the thread) and the spaces' (bumped by any change
    of a space: its visibility decides who may see the thread, its name is on
    the page). Writes go through thread_get_for_user, which reads the database.
    """
    found = caching.lookup(*thread_row_entry(thread_id), create=False)
    thread = found.value if found.hit else _threads_for_page().filter(pk=thread_id).first()
    if thread is not None and not found.hit:
        # Any id can be asked for: only rows that exist are stored (and get a version).
        found.store(thread, THREAD_ROW_SECONDS)
    if thread is None or not permissions.can_view_thread(user, thread):
        raise Http404("No such thread.")
    return thread


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


@dataclass(slots=True)
class IdeaStatusStep:
    label: str
    note_html: str
    actor_name: str
    created_at: datetime
    created_iso: str


def _idea_history(thread: Thread) -> list[IdeaStatusStep]:
    """The idea's status changes, newest first, with the staff notes (one query, ideas only)."""
    if thread.kind != ThreadKind.IDEA:
        return []
    changes = IdeaStatusChange.objects.filter(thread=thread).select_related("actor__profile").order_by("-created_at")
    return [
        IdeaStatusStep(
            label=IDEA_STATUS_LABELS.get(change.to_status, change.to_status),
            note_html=change.note_html,
            actor_name=change.actor.public_name if change.actor else "",
            created_at=change.created_at,
            created_iso=change.created_at.isoformat(),
        )
        for change in changes[:20]
    ]


@dataclass(slots=True)
class PostItem:
    """A post with everything its template needs already decided."""

    post: Post
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
    post: Post,
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
    my_vote = 0
    if permissions.is_active_member(user):
        my_vote = Vote.objects.filter(post=post, voter=user).values_list("value", flat=True).first() or 0
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


def _comment_items(user, post: Post, links: Links, now: datetime) -> list[CommentItem]:
    items = []
    for comment in post.visible_comments:
        name, url = author_display(comment.author, links)
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
            )
        )
    return items


def _related_candidates(thread_id: int, tag_names: list[str]) -> list[tuple[int, int]]:
    """(thread id, tags shared) for up to RELATED_CANDIDATES threads sharing the most tags, newest first.

    Reads only the tag items, not the threads, and is cached: a popular tag has
    thousands of threads, and related links need not be live to the minute.
    Which of these the reader may see is decided per request.
    """

    def build() -> list[tuple[int, int]]:
        rows = (
            thread_tagged_items()
            .filter(tag__name__in=tag_names)
            .exclude(object_id=thread_id)
            .values("object_id")
            # One row per shared tag before grouping: the count is how many tags a thread shares.
            .annotate(shared=Count("id"))
            .order_by("-shared", "-object_id")[:RELATED_CANDIDATES]
        )
        return [(row["object_id"], row["shared"]) for row in rows]

    # Keyed by the thread alone, so the page can fetch it before it knows the tags; stored with the tags
    # it was built for, and rebuilt when they differ.
    found = caching.lookup(RELATED_SCOPE, related_candidates_key(thread_id))
    if found.hit and found.value[0] == tag_names:
        return found.value[1]
    candidates = build()
    found.store((tag_names, candidates), RELATED_CACHE_SECONDS)
    return candidates


def related_candidates_key(thread_id: int) -> str:
    return f"candidates:{thread_id}"


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


_SIMILAR_COLUMNS = ("id", "title", "slug", "kind", "answer_count", "accepted_answer_id", "score")


def _visible_thread_rows(thread_ids: list[int], space_ids: list[int]) -> list[dict]:
    """Those of these threads that exist, are not deleted and are in these spaces: the columns _similar needs.

    Read on every request, never cached (a thread deleted or moved to a private
    space since must drop out at once), and written out: building this
    queryset cost more Python than PostgreSQL takes to answer it.
    """
    if not thread_ids or not space_ids:
        return []
    columns = ", ".join(_SIMILAR_COLUMNS)
    in_threads = ", ".join(["%s"] * len(thread_ids))
    in_spaces = ", ".join(["%s"] * len(space_ids))
    table = connection.ops.quote_name(Thread._meta.db_table)
    # The table name comes from the model, and every value is a parameter.
    sql = (
        f"SELECT {columns} FROM {table} WHERE id IN ({in_threads}) AND deleted_at IS NULL AND space_id IN ({in_spaces})"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*thread_ids, *space_ids])
        return [dict(zip(_SIMILAR_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _linked_and_related(
    user, thread: Thread, tag_names: list[str], linked_ids: list[int], links: Links
) -> tuple[list[SimilarThread], list[SimilarThread]]:
    """Threads linked to or from this one, and related ones sharing tags: those the reader may see, in one query."""
    shared = dict(_related_candidates(thread.pk, tag_names)) if tag_names else {}
    wanted = set(shared) | set(linked_ids)
    if not wanted:
        return [], []
    rows = _visible_thread_rows(sorted(wanted), visible_space_ids(user=user))
    linked_set = set(linked_ids)
    linked = sorted((row for row in rows if row["id"] in linked_set), key=lambda row: (-row["score"], -row["id"]))
    related = sorted(
        (row for row in rows if row["id"] in shared and row["id"] not in linked_set),
        key=lambda row: (-shared[row["id"]], -row["score"], -row["id"]),
    )
    return (
        [_similar(row, links) for row in linked[:LINKED_LIMIT]],
        [_similar(row, links) for row in related[:RELATED_LIMIT]],
    )


def _thread_content(thread: Thread, *, answers_page: int, with_deleted: bool) -> ThreadContent | None:
    """The posts of one page of the thread with their comments, and its tags: the same for every reader.

    None when the opening post is missing. Cached under the thread's version
    (every write to the thread, its posts, comments and votes bumps it); who
    may do what with each post is decided per request.
    """
    comments = Prefetch(
        "comments",
        queryset=Comment.objects.filter(deleted_at__isnull=True)
        .select_related("author__profile")
        .order_by("created_at", "pk"),
        to_attr="visible_comments",
    )
    posts = Post.objects.filter(thread=thread).select_related("author__profile")
    opening = posts.filter(kind=PostKind.OPENING).first()
    if opening is None:
        return None
    answers = posts.filter(kind=PostKind.ANSWER)
    if not with_deleted:
        answers = answers.filter(deleted_at__isnull=True)
    if thread.kind == ThreadKind.QUESTION:
        # The accepted answer first, then the best, then the oldest of equals.
        accepted_first = Case(
            When(pk=thread.accepted_answer_id or 0, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        answers = answers.order_by(accepted_first, "-score", "created_at", "pk")
    else:
        # Discussions read as a conversation.
        answers = answers.order_by("created_at", "pk")
    start = (answers_page - 1) * ANSWERS_PER_PAGE
    # Offset within one thread's answers (an index range on (thread, kind)), never across the whole table.
    answer_list = list(answers[start : start + ANSWERS_PER_PAGE + 1])
    has_more_answers = len(answer_list) > ANSWERS_PER_PAGE
    answer_list = answer_list[:ANSWERS_PER_PAGE]
    prefetch_related_objects([opening, *answer_list], comments)
    tag_names = sorted(thread_tag_names([thread.pk]).get(thread.pk, []))
    # Links either way: a thread another one points at lists that one too, as on Stack Overflow.
    linked_ids = [
        other
        for source, target in ThreadLink.objects.filter(Q(from_thread=thread) | Q(to_thread=thread)).values_list(
            "from_thread_id", "to_thread_id"
        )[: LINKED_LIMIT * 4]
        for other in (source, target)
        if other != thread.pk
    ]
    return opening, answer_list, has_more_answers, tag_names, linked_ids


def _reader_state(user, thread: Thread, post_ids: list[int], *, with_me_too: bool) -> tuple[dict[int, int], bool, bool]:
    """The member's votes on these posts, whether they follow the thread, and whether they have its question too.

    One query, written out: the rows are per member and cannot be cached, and
    three querysets (or one ORM union of them) cost more Python to build than
    PostgreSQL takes to answer.
    """
    votes_table, follows_table, me_too_table = (
        connection.ops.quote_name(model._meta.db_table) for model in (Vote, Follow, MeToo)
    )
    in_posts = ", ".join(["%s"] * len(post_ids))
    # Table names come from the models; every value is a parameter.
    parts = [
        f"SELECT 'vote', post_id, value FROM {votes_table} WHERE voter_id = %s AND post_id IN ({in_posts})",  # noqa: S608
        f"SELECT 'follow', NULL, NULL FROM {follows_table} WHERE member_id = %s AND thread_id = %s",  # noqa: S608
    ]
    params = [user.pk, *post_ids, user.pk, thread.pk]
    if with_me_too:
        parts.append(f"SELECT 'me_too', NULL, NULL FROM {me_too_table} WHERE member_id = %s AND thread_id = %s")  # noqa: S608
        params += [user.pk, thread.pk]
    votes: dict[int, int] = {}
    following = me_too = False
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, post_id, value in cursor.fetchall():
            if kind == "vote":
                votes[post_id] = value
            elif kind == "follow":
                following = True
            else:
                me_too = True
    return votes, following, me_too


def thread_page(*, user, thread: Thread, answers_page: int = 1) -> ThreadPage:
    """Everything the thread page shows, for this reader. `thread` comes from thread_get_for_user or _for_page."""
    user = permissions.loaded(user)
    links = Links()
    now = timezone.now()
    is_staff = permissions.is_staff(user)
    is_member = permissions.is_active_member(user)
    is_question = thread.kind == ThreadKind.QUESTION

    answers_pages = max(1, math.ceil(thread.answer_count / ANSWERS_PER_PAGE))
    answers_page = min(max(1, answers_page), answers_pages)
    content = caching.cached(
        caching.thread_scope(thread.pk),
        _content_key(answers_page, is_staff),
        lambda: _thread_content(thread, answers_page=answers_page, with_deleted=is_staff),
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
        my_votes, following, my_me_too = _reader_state(
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
    # Only a duplicate needs its canonical thread: one query, for those pages alone.
    canonical = (
        Thread.objects.select_related("space").filter(pk=thread.duplicate_of_id).first()
        if thread.duplicate_of_id
        else None
    )
    canonical_visible = canonical is not None and permissions.can_view_thread(user, canonical)
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
        duplicate_of_title=canonical.title if canonical_visible else "",
        duplicate_of_url=links.thread(canonical.pk, canonical.slug) if canonical_visible else None,
        linked=linked,
        related=related,
    )
