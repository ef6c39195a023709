"""PostHistory.xml -> numbered revisions and Markdown sources; then a first revision for any post without one."""

from __future__ import annotations

import functools

from django.db.models import Exists, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from community.db.bulk import Columns, insert_rows
from community.importers.stackexchange.naming import parse_tags
from community.importers.stackexchange.state import DumpFiles, ImportState
from community.importers.xmlrows import Row
from community.models import BodyFormat, Post, PostKind, Revision
from community.selectors.tags import thread_tag_names

# PostHistoryTypeId: initial / edit / rollback of the body, the title and the tags.
BODY_TYPES = {2, 5, 8}
TITLE_TYPES = {1, 4, 7}
TAG_TYPES = {3, 6, 9}


def _markdown(text: str) -> str:
    return text.replace("\r\n", "\n")


REVISION_COLUMNS = Columns(
    Revision, ["post", "number", "author", "title", "tags", "body", "body_format", "reason", "created_at"]
)


def _revision(state: ImportState, post_id: int, number: int, group: list[tuple[int, Row]]) -> tuple:
    """The row of one revision, from the rows of one Stack Exchange edit (they share a RevisionGUID)."""
    body_row = next(row for kind, row in group if kind in BODY_TYPES)
    title = next((row.get("Text") for kind, row in group if kind in TITLE_TYPES), "")
    tags = next((row.get("Text") for kind, row in group if kind in TAG_TYPES), "")
    reason = next((row.get("Comment") for _, row in group if row.get("Comment")), "")
    editor = body_row.opt_int("UserId")
    return (
        post_id,
        number,
        state.user_map.get(editor) if editor is not None else None,
        " ".join(title.split())[:300],
        " ".join(parse_tags(tags))[:300],
        _markdown(body_row.get("Text")),
        BodyFormat.MARKDOWN.value,
        " ".join(reason.split())[:300],
        body_row.date("CreationDate"),
    )


def _write(state: ImportState, revisions: list[tuple]) -> None:
    state.summary.revisions += insert_rows(REVISION_COLUMNS, revisions)
    # The post's source is its latest revision's Markdown; its HTML stays the
    # one Stack Exchange rendered, sanitised, which is the same text.
    post_ids = sorted({revision[0] for revision in revisions})
    latest = Revision.objects.filter(post=OuterRef("pk")).order_by("-number").values("body")[:1]
    Post.objects.filter(pk__in=post_ids).update(body=Subquery(latest), body_format=BodyFormat.MARKDOWN)
    # An edit that left the title or tags alone has no rows for them; give its
    # revision those of the revision before, so every revision of a question
    # holds the whole question (rolling back to it must not clear the tags).
    openings = Revision.objects.filter(post_id__in=post_ids, post__kind=PostKind.OPENING)
    for name in ("title", "tags"):
        before = (
            Revision.objects.filter(post=OuterRef("post"), number__lt=OuterRef("number"))
            .exclude(**{name: ""})
            .order_by("-number")
            .values(name)[:1]
        )
        openings.filter(**{name: ""}).update(**{name: Coalesce(Subquery(before), Value(""))})


def import_history(state: ImportState, files: DumpFiles) -> None:
    """Every body edit becomes a revision, numbered per post in file (= time) order.

    The numbering is deterministic, so (post, number) is the idempotency key:
    a rerun recounts the same numbers and skips those already stored.
    """
    stored = dict(
        Revision.objects.filter(post__source=state.source)
        .order_by()
        .values("post_id")
        .annotate(n=Max("number"))
        .values_list("post_id", "n")
        .iterator(chunk_size=10_000)
    )
    counts: dict[int, int] = {}
    pending: list[tuple] = []
    skipped = state.summary.skipped

    def emit(group: list[tuple[int, Row]]) -> None:
        post_id = state.post_map.get(group[0][1].int("PostId"))
        if post_id is None:
            skipped["history_rows_of_other_posts"] += len(group)
            return
        if not any(kind in BODY_TYPES for kind, _ in group):
            skipped["history_rows_without_body"] += len(group)  # title-only edits, closing, locking ...
            return
        number = counts[post_id] = counts.get(post_id, 0) + 1
        if number > stored.get(post_id, 0):
            pending.append(_revision(state, post_id, number, group))

    group: list[tuple[int, Row]] = []
    key: tuple[str, int] | None = None
    for batch in files.batches("PostHistory.xml"):
        for row in batch:
            row_key = (row.get("RevisionGUID") or f"row-{row.int('Id')}", row.int("PostId"))
            if row_key != key and group:
                emit(group)
                group = []
            key = row_key
            group.append((row.int("PostHistoryTypeId"), row))
        if len(pending) >= state.batch_size:
            files.write_batch(functools.partial(_write, state, pending))
            pending = []
    if group:
        emit(group)
    if pending:
        files.write_batch(functools.partial(_write, state, pending))


def _fill(state: ImportState, posts: list[dict]) -> None:
    thread_ids = [post["thread_id"] for post in posts if post["kind"] == PostKind.OPENING]
    tags = thread_tag_names(thread_ids)
    state.summary.revisions += insert_rows(
        REVISION_COLUMNS,
        (
            (
                post["pk"],
                1,
                post["author_id"],
                post["thread__title"] if post["kind"] == PostKind.OPENING else "",
                " ".join(sorted(tags.get(post["thread_id"], []))) if post["kind"] == PostKind.OPENING else "",
                post["body"],
                post["body_format"],
                "",
                post["edited_at"] or post["created_at"],
            )
            for post in posts
        ),
    )


def revisions_fill_missing(state: ImportState, files: DumpFiles) -> None:
    """Every imported post has at least one revision: the imported text, for posts history did not cover."""
    without = (
        Post.objects.filter(source=state.source)
        .filter(~Exists(Revision.objects.filter(post=OuterRef("pk"))))
        .order_by("pk")
        .values(
            "pk", "thread_id", "kind", "author_id", "body", "body_format", "created_at", "edited_at", "thread__title"
        )
    )
    last = 0
    while posts := list(without.filter(pk__gt=last)[: state.batch_size]):
        files.write_batch(functools.partial(_fill, state, posts))
        last = posts[-1]["pk"]
