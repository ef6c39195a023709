"""Posts.xml -> threads with their opening posts, answers, tags, accepted answers and first revisions."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from taggit.models import TaggedItem

from community.importers.stackexchange.members import tags_ensure
from community.importers.stackexchange.naming import parse_tags
from community.importers.xmlrows import Row
from community.models import BodyFormat, Post, PostKind, Revision, Thread, ThreadKind
from community.rendering import sanitize_html
from community.search.index import search_index_threads
from community.services.content import thread_slug
from community.services.counters import thread_counters_recompute

if TYPE_CHECKING:
    from community.importers.stackexchange.importer import StackExchangeImporter

QUESTION, ANSWER = 1, 2


@dataclass(slots=True)
class _Incoming:
    """A question or answer read from the dump, before it has our ids."""

    source_id: int
    question_id: int  # the question's post id (its own for a question)
    author_id: int | None
    editor_id: int | None
    body_html: str
    score: int
    created_at: dt.datetime
    edited_at: dt.datetime | None
    title: str = ""
    tags: list[str] = field(default_factory=list)
    last_activity_at: dt.datetime | None = None
    view_count: int = 0
    closed_at: dt.datetime | None = None


def _read(importer: StackExchangeImporter, row: Row, source_id: int, question_id: int) -> _Incoming:
    users = importer.user_map
    owner, editor = row.opt_int("OwnerUserId"), row.opt_int("LastEditorUserId")
    return _Incoming(
        source_id=source_id,
        question_id=question_id,
        author_id=users.get(owner) if owner is not None else None,
        editor_id=users.get(editor) if editor is not None else None,
        body_html=sanitize_html(row.get("Body")),
        score=row.opt_int("Score") or 0,
        created_at=row.date("CreationDate"),
        edited_at=row.opt_date("LastEditDate"),
    )


def _read_question(importer: StackExchangeImporter, row: Row, source_id: int) -> _Incoming:
    post = _read(importer, row, source_id, source_id)
    post.title = " ".join(row.text("Title").split())[:300]
    post.tags = parse_tags(row.get("Tags"))
    post.last_activity_at = row.opt_date("LastActivityDate") or post.created_at
    post.view_count = max(row.opt_int("ViewCount") or 0, 0)
    post.closed_at = row.opt_date("ClosedDate")
    return post


def _post(importer: StackExchangeImporter, incoming: _Incoming, thread_id: int, kind: str) -> Post:
    # The sanitised HTML is the source until PostHistory supplies the Markdown.
    return Post(
        thread_id=thread_id,
        kind=kind,
        author_id=incoming.author_id,
        body=incoming.body_html,
        body_format=BodyFormat.HTML,
        body_html=incoming.body_html,
        score=incoming.score,
        created_at=incoming.created_at,
        edited_at=incoming.edited_at,
        source=importer.source,
        source_id=incoming.source_id,
    )


def _write_questions(importer: StackExchangeImporter, questions: list[_Incoming]) -> list[Post]:
    Thread.objects.bulk_create(
        [
            Thread(
                space=importer.space,
                kind=ThreadKind.QUESTION,
                title=q.title,
                slug=thread_slug(q.title),
                author_id=q.author_id,
                created_at=q.created_at,
                last_activity_at=q.last_activity_at,
                view_count=q.view_count,
                closed_at=q.closed_at,
                score=q.score,
                source=importer.source,
                source_id=q.source_id,
            )
            for q in questions
        ],
        batch_size=importer.batch_size,
        ignore_conflicts=True,
    )
    created = importer.lookup(Thread, [q.source_id for q in questions])
    importer.thread_map.update(created)
    importer.summary.questions += len(created)
    new = [q for q in questions if q.source_id in created]
    tag_ids = tags_ensure(importer, {name for q in new for name in q.tags})
    content_type = ContentType.objects.get_for_model(Thread)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(content_type_id=content_type.pk, object_id=created[q.source_id], tag_id=tag_ids[name])
            for q in new
            for name in q.tags
        ],
        batch_size=importer.batch_size,
        ignore_conflicts=True,
    )
    return [_post(importer, q, created[q.source_id], PostKind.OPENING) for q in new]


def _write(
    importer: StackExchangeImporter, questions: list[_Incoming], answers: list[_Incoming], orphans: set[int]
) -> None:
    new_posts = _write_questions(importer, questions) if questions else []
    placed: list[_Incoming] = []
    for answer in answers:
        thread_id = importer.thread_map.get(answer.question_id)
        if thread_id is None:
            orphans.add(answer.source_id)  # its question comes later in the file, or never
            continue
        placed.append(answer)
        new_posts.append(_post(importer, answer, thread_id, PostKind.ANSWER))
    Post.objects.bulk_create(new_posts, batch_size=importer.batch_size, ignore_conflicts=True)
    created = importer.lookup(Post, [post.source_id for post in new_posts])
    importer.post_map.update(created)
    importer.summary.answers += sum(1 for answer in placed if answer.source_id in created)

    # The accepted answer is linked in the batch that creates it, so it can never be left dangling.
    accepted = [
        (created[a.source_id], importer.thread_map[a.question_id])
        for a in placed
        if a.source_id in created and importer.accepted.get(a.source_id) == a.question_id
    ]
    importer.update_rows(Thread, ["accepted_answer"], accepted)

    if not importer.has("PostHistory.xml"):
        # Without history, revision 1 is the version the dump holds, by whoever last wrote it.
        revisions = [
            Revision(
                post_id=created[item.source_id],
                number=1,
                author_id=item.editor_id or item.author_id,
                title=item.title,
                tags=" ".join(item.tags),
                body=item.body_html,
                created_at=item.edited_at or item.created_at,
            )
            for item in (*questions, *placed)
            if item.source_id in created
        ]
        Revision.objects.bulk_create(revisions, batch_size=importer.batch_size, ignore_conflicts=True)
        importer.summary.revisions += len(revisions)

    touched = {post.thread_id for post in new_posts if post.source_id in created}
    thread_counters_recompute(thread_ids=sorted(touched))
    # Searchable as soon as the batch commits, like a thread written through the site.
    search_index_threads(touched)


def _read_batch(importer: StackExchangeImporter, batch: list[Row], only: set[int] | None = None):
    questions: list[_Incoming] = []
    answers: list[_Incoming] = []
    for row in batch:
        source_id, kind = row.int("Id"), row.int("PostTypeId")
        if only is not None and source_id not in only:
            continue
        if kind == QUESTION:
            accepted = row.opt_int("AcceptedAnswerId")
            if accepted is not None:
                importer.accepted[accepted] = source_id
            if source_id not in importer.thread_map:
                questions.append(_read_question(importer, row, source_id))
        elif kind == ANSWER:
            if source_id not in importer.post_map:
                answers.append(_read(importer, row, source_id, row.int("ParentId")))
        elif only is None:
            # Tag wikis and excerpts, moderator nominations ...
            importer.summary.skipped["posts_of_other_types"] += 1
            importer.other_posts.add(source_id)
    return questions, answers


def import_posts(importer: StackExchangeImporter) -> None:
    """Questions and answers in file order; answers met before their question get a second pass."""
    orphans: set[int] = set()
    for batch in importer.batches("Posts.xml"):
        questions, answers = _read_batch(importer, batch)
        if questions or answers:
            importer.write_batch(functools.partial(_write, importer, questions, answers, orphans))
    if not orphans:
        return
    # Stack Exchange numbers answers after their question, so this is for
    # odd dumps only; it costs a second read of Posts.xml, not memory.
    waiting, orphans = orphans, set()
    for batch in importer.batches("Posts.xml", label="Posts.xml (again)"):
        questions, answers = _read_batch(importer, batch, only=waiting)
        if answers:
            importer.write_batch(functools.partial(_write, importer, questions, answers, orphans))
    importer.summary.skipped["answers_without_question"] += len(orphans)
