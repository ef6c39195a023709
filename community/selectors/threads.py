"""Reads behind the thread page: the thread, its posts in reading order, their comments, and the reader's own rows.

Each function here runs its queries and checks who may see what; what the
page makes of the results (labels, URLs, what each reader may do, what is
cached under which key) is in community/pages/threads.py. The page costs the
same handful of queries however many answers and comments it shows
(tests/community/test_views_threads.py holds it to that):

1. the reader's votes on those posts, their follow and their "me too"
   (members only, one query: reader_state);
2. threads linked to this one and related ones sharing a tag, those the
   reader may see (visible_thread_rows; and, when not cached, 3. the related
   candidates: related_candidates).

What every reader sees alike comes from the cache until the thread changes;
when it does not: 4. the thread, with its space and author (thread_load);
5. the opening post and 6. one page of answers, each with its author's
name, as plain values; 7. every comment on those posts, in one query;
8. its tags; 9. the ids of linked threads (thread_content).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.http import Http404

from accounts.models import Profile, User
from community import permissions
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
from community.selectors.spaces import visible_space_ids
from community.selectors.tags import thread_tag_names, thread_tagged_items

ANSWERS_PER_PAGE = 50
LINKED_LIMIT = 10
# Related threads are picked among this many candidates sharing the most tags.
RELATED_CANDIDATES = 50
IDEA_HISTORY_LIMIT = 20

# (opening post, answers, whether more answers follow, tag names, ids of linked threads)
ThreadContent = tuple["PostValues", list["PostValues"], bool, list[str], list[int]]


def _threads_for_page() -> QuerySet[Thread]:
    # The columns a page never shows stay behind: building the query and its
    # model instances costs more Python than PostgreSQL takes to answer it.
    return Thread.objects.select_related("space", "author__profile").defer(
        "excerpt", "source", "source_id", "author__password", "author__profile__bio"
    )


def thread_load(thread_id: int) -> Thread | None:
    """The thread's row with its space and author, whoever asks: pass it to thread_check_visible before showing it."""
    return _threads_for_page().filter(pk=thread_id).first()


def thread_check_visible(*, user, thread: Thread | None) -> Thread:
    """`thread` if the user may see it, else 404 (private spaces and deleted threads are not admitted to exist)."""
    if thread is None or not permissions.can_view_thread(user, thread):
        raise Http404("No such thread.")
    return thread


def thread_get_for_user(*, user, thread_id: int) -> Thread:
    """A thread the user may see, or 404."""
    return thread_check_visible(user=user, thread=thread_load(thread_id))


def idea_status_changes(thread: Thread) -> list[IdeaStatusChange]:
    """The idea's latest status changes, newest first, with their actors (one query, ideas only)."""
    if thread.kind != ThreadKind.IDEA:
        return []
    changes = IdeaStatusChange.objects.filter(thread=thread).select_related("actor__profile").order_by("-created_at")
    return list(changes[:IDEA_HISTORY_LIMIT])


def member_vote(*, user, post: Post) -> int:
    """The member's vote on the post (0 for none, and for anyone who may not vote)."""
    if not permissions.is_active_member(user):
        return 0
    return Vote.objects.filter(post=post, voter=user).values_list("value", flat=True).first() or 0


def related_candidates(thread_id: int, tag_names: list[str]) -> list[tuple[int, int]]:
    """(thread id, tags shared) for up to RELATED_CANDIDATES threads sharing the most tags, newest first.

    Reads only the tag items, not the threads: which of these the reader may
    see is decided by visible_thread_rows.
    """
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


SIMILAR_COLUMNS = ("id", "title", "slug", "kind", "answer_count", "accepted_answer_id", "score")


def visible_thread_rows(*, user, thread_ids: list[int]) -> list[dict]:
    """Those of these threads that exist, are not deleted and are in spaces the user may see: SIMILAR_COLUMNS.

    Written out: building this queryset cost more Python than PostgreSQL
    takes to answer it. The thread page caches what it makes of these rows
    under the visibility scope (community.pages.threads.similar_entry), so a
    thread deleted or moved to a private space since drops out at once.
    """
    if not thread_ids:
        return []
    space_ids = visible_space_ids(user=user)
    if not space_ids:
        return []
    columns = ", ".join(SIMILAR_COLUMNS)
    in_threads = ", ".join(["%s"] * len(thread_ids))
    in_spaces = ", ".join(["%s"] * len(space_ids))
    table = connection.ops.quote_name(Thread._meta.db_table)
    # The table name comes from the model, and every value is a parameter.
    sql = (
        f"SELECT {columns} FROM {table} WHERE id IN ({in_threads}) AND deleted_at IS NULL AND space_id IN ({in_spaces})"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*thread_ids, *space_ids])
        return [dict(zip(SIMILAR_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class AuthorValues:
    """What the thread page shows of a post's author: what community.pages and community.attribution read."""

    username: str
    public_name: str
    source: str
    source_id: int | None


@dataclass(slots=True)
class CommentValues:
    """A comment as the thread page reads it (and community.permissions' comment predicates)."""

    pk: int
    author_id: int | None
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    source: str
    source_id: int | None
    # The name the dump gave an imported comment's author, credited when the author was not imported.
    source_author: str
    author_username: str | None
    author_display_name: str | None
    author_source_id: int | None


@dataclass(slots=True)
class PostValues:
    """A post as the thread page reads it: the fields of Post the page, its partials and the permissions read.

    Plain values rather than a model instance: the thread's posts are cached,
    and building, pickling and unpickling 31 Post instances with their authors
    and profiles cost more than the rest of the page. `thread` is set by the
    page to the thread it has loaded, as community.permissions read it.
    """

    pk: int
    thread_id: int
    kind: str
    author_id: int | None
    body_html: str
    score: int
    comment_count: int
    is_official: bool
    created_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    source: str
    source_id: int | None
    source_license: str
    source_author: str
    author: AuthorValues | None
    visible_comments: list[CommentValues] = field(default_factory=list)
    thread: Thread | None = None

    @property
    def id(self) -> int:
        return self.pk


_POST_COLUMNS = (
    "id",
    "thread_id",
    "kind",
    "author_id",
    "body_html",
    "score",
    "comment_count",
    "is_official",
    "created_at",
    "edited_at",
    "deleted_at",
    "source",
    "source_id",
    "source_license",
    "source_author",
)


def _post_values(row: tuple) -> PostValues:
    username, display_name, source, source_id = row[-4:]
    author = (
        None
        if username is None
        else AuthorValues(username=username, public_name=display_name or username, source=source, source_id=source_id)
    )
    return PostValues(*row[:-4], author=author)


def _tables() -> tuple[str, str, str, str]:
    return tuple(connection.ops.quote_name(model._meta.db_table) for model in (Post, Comment, User, Profile))


def _page_posts(thread: Thread, *, answers_page: int, with_deleted: bool) -> list[PostValues]:
    """The opening post (first, when there is one) and up to ANSWERS_PER_PAGE + 1 answers, in reading order.

    One query, written out, as reader_state: the ORM took longer to build the
    two queries and their rows than PostgreSQL took to answer them, and this
    runs on every first view after an edit.
    """
    posts, _comments, users, profiles = _tables()
    columns = ", ".join(f"p.{name}" for name in _POST_COLUMNS)
    rows = (
        f"{columns}, u.username, pr.display_name, u.source, u.source_id FROM {posts} p "
        f"LEFT JOIN {users} u ON u.id = p.author_id LEFT JOIN {profiles} pr ON pr.user_id = p.author_id "
        "WHERE p.thread_id = %s AND p.kind = %s"
    )
    if thread.kind == ThreadKind.QUESTION:
        # The accepted answer first, then the best, then the oldest of equals.
        order = "(p.id = %s) DESC, p.score DESC, p.created_at, p.id"
        order_params = [thread.accepted_answer_id or 0]
    else:
        # Discussions read as a conversation.
        order, order_params = "p.created_at, p.id", []
    visible = "" if with_deleted else " AND p.deleted_at IS NULL"
    # The two parts are told apart, and the answers kept in order, by the two leading columns. Offset within
    # one thread's answers (an index range on (thread, kind)), never across the whole table. Table and
    # column names come from the models; every value is a parameter.
    sql = (
        f"(SELECT 0, 0, {rows} LIMIT 1) UNION ALL "  # noqa: S608
        f"(SELECT 1, ROW_NUMBER() OVER (ORDER BY {order}), {rows}{visible} ORDER BY {order} LIMIT %s OFFSET %s) "
        "ORDER BY 1, 2"
    )
    params = [
        thread.pk,
        PostKind.OPENING.value,
        *order_params,
        thread.pk,
        PostKind.ANSWER.value,
        *order_params,
        ANSWERS_PER_PAGE + 1,
        (answers_page - 1) * ANSWERS_PER_PAGE,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_post_values(row[2:]) for row in cursor.fetchall()]


def _add_comments(by_id: dict[int, PostValues]) -> None:
    """Each post's visible comments, oldest first, in one query."""
    _posts, comments, users, profiles = _tables()
    # A comment shows its author's name only. Joining the members' table for it lets the planner hash the
    # whole table when it expects a few dozen comments (3.7 ms with 4,000 members); a lookup per comment
    # by primary key costs the same for any number of members. The author's id on the site an imported
    # comment came from is for its credit (community.attribution).
    sql = (
        "SELECT c.post_id, c.id, c.author_id, c.body_html, c.created_at, c.edited_at, c.deleted_at, c.source, "  # noqa: S608
        f"c.source_id, c.source_author, (SELECT u.username FROM {users} u WHERE u.id = c.author_id), "
        f"(SELECT pr.display_name FROM {profiles} pr WHERE pr.user_id = c.author_id), "
        f"(SELECT u.source_id FROM {users} u WHERE u.id = c.author_id AND u.source = c.source) "
        f"FROM {comments} c WHERE c.post_id = ANY(%s) AND c.deleted_at IS NULL ORDER BY c.created_at, c.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(by_id)])
        for post_id, *row in cursor.fetchall():
            by_id[post_id].visible_comments.append(CommentValues(*row))


def thread_content(thread: Thread, *, answers_page: int, with_deleted: bool) -> ThreadContent | None:
    """The posts of one page of the thread with their comments, and its tags: the same for every reader.

    None when the opening post is missing. Deleted answers only `with_deleted`
    (staff); who may do what with each post is decided per request. Rows, not
    model instances (see PostValues); the Markdown sources and the authors'
    secrets and bios are never read.
    """
    posts = _page_posts(thread, answers_page=answers_page, with_deleted=with_deleted)
    if not posts or posts[0].kind != PostKind.OPENING:
        return None
    opening, answer_list = posts[0], posts[1:]
    has_more_answers = len(answer_list) > ANSWERS_PER_PAGE
    answer_list = answer_list[:ANSWERS_PER_PAGE]
    _add_comments({post.pk: post for post in (opening, *answer_list)})
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


def reader_state(user, thread: Thread, post_ids: list[int], *, with_me_too: bool) -> tuple[dict[int, int], bool, bool]:
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


def duplicate_of_for_user(*, user, thread: Thread) -> Thread | None:
    """The thread this one duplicates, if the user may see it (one query, duplicates only)."""
    if not thread.duplicate_of_id:
        return None
    canonical = Thread.objects.select_related("space").filter(pk=thread.duplicate_of_id).first()
    if canonical is None or not permissions.can_view_thread(user, canonical):
        return None
    return canonical
