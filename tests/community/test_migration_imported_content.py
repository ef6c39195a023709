"""Migration 0011 marks the revisions already stored that hold HTML, so rolling back to them shows that HTML."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import UserFactory

BEFORE = [("community", "0009_storage_tuning")]
AFTER = [("community", "0011_imported_content")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_html_revisions_of_imported_posts_are_marked_html_and_the_rest_markdown():
    apps = _migrate(BEFORE)
    try:
        Space = apps.get_model("community", "Space")
        Thread = apps.get_model("community", "Thread")
        Post = apps.get_model("community", "Post")
        Revision = apps.get_model("community", "Revision")
        now = timezone.now()
        author = UserFactory().pk  # accounts is not migrated: its current model
        space = Space.objects.create(name="Cardano", slug="cardano")

        def post(n: int, *, source: str, body: str, body_format: str, revisions: list[str]):
            thread = Thread.objects.create(
                space=space, kind="question", title=f"Thread {n}", slug=f"t{n}", author_id=author,
                created_at=now, last_activity_at=now,
            )  # fmt: skip
            created = Post.objects.create(
                thread=thread, kind="opening", author_id=author, body=body, body_format=body_format, body_html=body,
                created_at=now, source=source, source_id=n if source else None,
            )  # fmt: skip
            for number, text in enumerate(revisions, start=1):
                Revision.objects.create(post=created, number=number, author_id=author, body=text, created_at=now)
            return created.pk

        never_edited = post(1, source="stackexchange:x.example", body="<p>a</p>", body_format="html",
                            revisions=["<p>a</p>"])  # fmt: skip
        edited = post(2, source="stackexchange:x.example", body="b", body_format="markdown",
                      revisions=["<p>a</p>", "<p>b</p>"])  # fmt: skip
        native = post(3, source="", body="<b> is bold", body_format="markdown",
                      revisions=["<b> is bold"])  # fmt: skip

        apps = _migrate(AFTER)
        Revision = apps.get_model("community", "Revision")
        formats = dict(
            ((post_id, number), body_format)
            for post_id, number, body_format in Revision.objects.values_list("post_id", "number", "body_format")
        )
        assert formats == {
            (never_edited, 1): "html",
            (edited, 1): "html",
            (edited, 2): "markdown",  # written by the old editor: Markdown, whatever it holds
            (native, 1): "markdown",
        }
    finally:
        _migrate(_latest())


def _latest():
    # Every app's: going back to 0009 also unapplied the migrations of other apps that depend on community's.
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
