"""Posts.xml -> threads with their opening posts, answers, tags, accepted answers and first revisions."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from taggit.models import TaggedItem

from community.db.bulk import Columns, allocate_ids, insert_rows, update_rows
from community.importers.stackexchange.members import tags_ensure
from community.importers.stackexchange.naming import split_tags
from community.importers.stackexchange.state import DumpFiles, ImportState
from community.importers.xmlrows import Row
from community.models import BodyFormat, Post, PostKind, Revision, Thread, ThreadKind
from community.models.threads import EXCERPT_LENGTH
from community.rendering import excerpt, sanitize_html
from community.services.content import thread_slug

logger = logging.getLogger(__name__)

QUESTION, ANSWER = 1, 2

THREAD_COLUMNS = Columns(
    Thread,
    [
        "id",
        "space",
        "kind",
        "title",
        "slug",
        "excerpt",
        "author",
        "created_at",
        "last_activity_at",
        "view_count",
        "closed_at",
        "score",
        "answer_count",
        "accepted_answer",
        "source",
        "source_id",
    ],
)
TAGGED_COLUMNS = Columns(TaggedItem, ["content_type", "object_id", "tag"])
POST_COLUMNS = Columns(
    Post,
    [
        "id",
        "thread",
        "kind",
        "author",
        "body",
        "body_format",
        "body_html",
        "score",
        "created_at",
        "edited_at",
        "source",
        "source_id",
        "source_license",
        "source_author",
    ],
)
REVISION_COLUMNS = Columns(Revision, ["post", "number", "author", "title", "tags", "body", "body_format", "created_at"])


@dataclass(slots=True)
class _Incoming:
    """A question or answer read from the dump, before it has our ids."""

    source_id: int
    question_id: int  # the question's post id (its own for a question)
    owner: int | None  # the dump's user ids, mapped to ours by _read_batch
    editor: int | None
    body_html: str
    score: int
    created_at: dt.datetime
    edited_at: dt.datetime | None
    license: str = ""  # as the dump states it: "CC BY-SA 4.0"
    owner_name: str = ""  # OwnerDisplayName: credits the author where no imported member wrote the post
    accepted: int | None = None  # a question's accepted answer (the dump's post id)
    title: str = ""
    slug: str = ""
    excerpt: str = ""
    tags: list[str] = field(default_factory=list)
    refused_tags: list[str] = field(default_factory=list)  # our tag rules refuse them: reported, not written
    last_activity_at: dt.datetime | None = None
    view_count: int = 0
    closed_at: dt.datetime | None = None
    author_id: int | None = None  # ours, once known
    editor_id: int | None = None
    thread_id: int = 0
    post_id: int = 0


def prepare_post(row: Row) -> _Incoming | int:
    """A question or answer of Posts.xml, cleaned; the post's id for any other type. Of the row alone (reader.py)."""
    source_id, kind = row.int("Id"), row.int("PostTypeId")
    if kind not in (QUESTION, ANSWER):
        return source_id  # tag wikis and excerpts, moderator nominations ...
    post = _Incoming(
        source_id=source_id,
        question_id=source_id if kind == QUESTION else row.int("ParentId"),
        owner=row.opt_int("OwnerUserId"),
        editor=row.opt_int("LastEditorUserId"),
        body_html=sanitize_html(row.get("Body")),
        score=row.opt_int("Score") or 0,
        created_at=row.date("CreationDate"),
        edited_at=row.opt_date("LastEditDate"),
        license=row.get("ContentLicense")[:20],
        owner_name=row.get("OwnerDisplayName")[:150],
    )
    if kind == QUESTION:
        post.accepted = row.opt_int("AcceptedAnswerId")
        post.title = " ".join(row.text("Title").split())[:300]
        post.slug = thread_slug(post.title)
        post.excerpt = excerpt(post.body_html, EXCERPT_LENGTH)
        post.tags, post.refused_tags = split_tags(row.get("Tags"))
        post.last_activity_at = row.opt_date("LastActivityDate") or post.created_at
        post.view_count = max(row.opt_int("ViewCount") or 0, 0)
        post.closed_at = row.opt_date("ClosedDate")
    return post


def _write_questions(
    state: ImportState, questions: list[_Incoming], answer_counts: Counter[int], accepted: dict[int, int]
) -> None:
    """The threads of new questions, with their tags and the answers of this batch counted.

    Their opening posts are written with the answers, after them: the keys
    to posts are checked at the commit.
    """
    space_id, source = state.space_id, state.source
    insert_rows(
        THREAD_COLUMNS,
        (
            (
                q.thread_id,
                space_id,
                ThreadKind.QUESTION.value,
                q.title,
                q.slug,
                q.excerpt,
                q.author_id,
                q.created_at,
                q.last_activity_at,
                q.view_count,
                q.closed_at,
                q.score,
                answer_counts[q.thread_id],
                accepted.get(q.thread_id),
                source,
                q.source_id,
            )
            for q in questions
        ),
    )
    state.summary.questions += len(questions)
    refused = [(q.source_id, name) for q in questions for name in q.refused_tags]
    if refused:
        state.summary.skipped["question_tags_refused"] += len(refused)
        logger.warning("Tags refused by the tag rules, not attached (question id, tag): %s", refused)
    tag_ids = tags_ensure(state, {name for q in questions for name in q.tags})
    content_type = ContentType.objects.get_for_model(Thread).pk
    state.other_rows[TaggedItem] += insert_rows(
        TAGGED_COLUMNS, ((content_type, q.thread_id, tag_ids[name]) for q in questions for name in q.tags)
    )


def _write(state: ImportState, questions: list[_Incoming], answers: list[_Incoming], orphans: set[int]) -> None:
    for q, thread_id in zip(questions, allocate_ids(Thread, len(questions)), strict=True):
        q.thread_id = thread_id
    state.thread_map.update((q.source_id, q.thread_id) for q in questions)
    placed: list[_Incoming] = []
    for answer in answers:
        thread_id = state.thread_map.get(answer.question_id)
        if thread_id is None:
            orphans.add(answer.source_id)  # its question comes later in the file, or never
            continue
        answer.thread_id = thread_id
        placed.append(answer)
    new = [*questions, *placed]
    for post, post_id in zip(new, allocate_ids(Post, len(new)), strict=True):
        post.post_id = post_id

    # Each new answer is live and counts; the accepted answer is linked in the batch that creates it, so
    # it can never be left dangling. A thread that is new in this batch is written with them; an earlier
    # one gets one UPDATE (a thread row is dear to update: many indexes). A new thread's score is its
    # opening post's, written with it.
    answers_by_thread = Counter(a.thread_id for a in placed)
    accepted = {a.thread_id: a.post_id for a in placed if state.accepted.get(a.source_id) == a.question_id}
    if questions:
        _write_questions(state, questions, answers_by_thread, accepted)
    new_threads = {q.thread_id for q in questions}
    source = state.source
    # The sanitised HTML is the source until PostHistory supplies the Markdown.
    insert_rows(
        POST_COLUMNS,
        (
            (
                p.post_id,
                p.thread_id,
                PostKind.OPENING.value if p.source_id == p.question_id else PostKind.ANSWER.value,
                p.author_id,
                p.body_html,
                BodyFormat.HTML.value,
                p.body_html,
                p.score,
                p.created_at,
                p.edited_at,
                source,
                p.source_id,
                p.license,
                p.owner_name,
            )
            for p in new
        ),
    )
    state.post_map.update((p.source_id, p.post_id) for p in new)
    state.summary.answers += len(placed)

    update_rows(
        Thread,
        [
            (n, accepted.get(thread_id), thread_id)
            for thread_id, n in sorted(answers_by_thread.items())
            if thread_id not in new_threads
        ],
        add=["answer_count"],
        fill=["accepted_answer"],
    )

    if not state.has_history:
        # Without history, revision 1 is the version the dump holds, by whoever last wrote it.
        state.summary.revisions += insert_rows(
            REVISION_COLUMNS,
            (
                (
                    p.post_id,
                    1,
                    p.editor_id or p.author_id,
                    p.title,
                    " ".join(p.tags),
                    p.body_html,
                    BodyFormat.HTML.value,
                    p.edited_at or p.created_at,
                )
                for p in new
            ),
        )


def _read_batch(state: ImportState, batch: list[_Incoming | int], only: set[int] | None = None):
    questions: list[_Incoming] = []
    answers: list[_Incoming] = []
    users = state.user_map
    for post in batch:
        if isinstance(post, int):
            if only is None:
                state.summary.skipped["posts_of_other_types"] += 1
                state.other_posts.add(post)
            continue
        if only is not None and post.source_id not in only:
            continue
        is_question = post.source_id == post.question_id
        if is_question and post.accepted is not None:
            state.accepted[post.accepted] = post.source_id
        if post.source_id in (state.thread_map if is_question else state.post_map):
            continue  # an earlier run wrote it
        post.author_id = users.get(post.owner) if post.owner is not None else None
        post.editor_id = users.get(post.editor) if post.editor is not None else None
        (questions if is_question else answers).append(post)
    return questions, answers


def import_posts(state: ImportState, files: DumpFiles) -> None:
    """Questions and answers in file order; answers met before their question get a second pass."""
    orphans: set[int] = set()
    for batch in files.prepared("Posts.xml", prepare_post):
        questions, answers = _read_batch(state, batch)
        if questions or answers:
            files.write_batch(functools.partial(_write, state, questions, answers, orphans))
    if not orphans:
        return
    # Stack Exchange numbers answers after their question, so this is for
    # odd dumps only; it costs a second read of Posts.xml, not memory.
    waiting, orphans = orphans, set()
    for batch in files.prepared("Posts.xml", prepare_post, label="Posts.xml (again)"):
        questions, answers = _read_batch(state, batch, only=waiting)
        if answers:
            files.write_batch(functools.partial(_write, state, questions, answers, orphans))
    state.summary.skipped["answers_without_question"] += len(orphans)
