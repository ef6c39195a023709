"""Bulk indexing on PostgreSQL: documents built in one statement from the posts' HTML, by the documents' rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from community.models import Post, PostKind, Thread
from community.search.documents import ANSWER_MAX_CHARS, ANSWERS_INDEXED, ANSWERS_MAX_CHARS, OPENING_MAX_CHARS
from community.search.index import search_index_threads_bulk
from tests.factories import UserFactory, answer, ask

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def expected_document(thread: Thread) -> str:
    """The tsvector the rules give, built here in Python from the same HTML: the specification the SQL must meet."""
    opening = Post.objects.get(thread=thread, kind=PostKind.OPENING).body_html[:OPENING_MAX_CHARS]
    answers = sorted(
        Post.objects.filter(thread=thread, kind=PostKind.ANSWER, deleted_at__isnull=True),
        key=lambda post: (post.pk != thread.accepted_answer_id, -post.score, post.created_at, post.pk),
    )[:ANSWERS_INDEXED]
    pieces, budget = [], ANSWERS_MAX_CHARS
    for post in answers:
        if budget > 0:
            piece = post.body_html[: min(ANSWER_MAX_CHARS, budget)]
            budget -= len(piece)
            pieces.append(piece)
    tags = " ".join(sorted(thread.tags.names()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (setweight(to_tsvector('english', %s), 'A') || setweight(to_tsvector('english', %s), 'B')"
            " || setweight(to_tsvector('english', %s), 'C'))::text",
            [thread.title, tags, "\n".join([opening, *pieces])],
        )
        return cursor.fetchone()[0]


def stored_document(thread: Thread) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_document::text FROM community_thread WHERE id = %s", [thread.pk])
        return cursor.fetchone()[0]


def forget(*threads: Thread) -> None:
    """Drop the documents the services wrote, so only the bulk write can have written what is read back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE community_thread SET search_document = NULL WHERE id = ANY(%s)", [[t.pk for t in threads]]
        )


def long_body(word: str, n: int) -> str:
    # Past ANSWER_MAX_CHARS of HTML, so the cap decides whether the closing word is indexed.
    return f"Answer {n} says " + "wallet " * 400 + f"and ends with {word}{n}."


@pytest.fixture
def crowded_thread(member):
    """Answers past every cap: more than ANSWERS_INDEXED, longer than ANSWER_MAX_CHARS, over the total budget,
    an accepted answer with the lowest score, a deleted answer, ties broken by age."""
    thread = ask(member, title="Which hardware wallet keeps my keys offline?", tags=("zeta", "alpha", "wallet"))
    start = timezone.now() - dt.timedelta(days=30)
    posts = []
    for n in range(ANSWERS_INDEXED + 3):
        body = long_body("closing", n) if n % 3 else f"Short answer {n} on cold storage."
        post = answer(UserFactory(), thread, body=body)
        Post.objects.filter(pk=post.pk).update(score=n % 4, created_at=start + dt.timedelta(hours=n))
        posts.append(post)
    Post.objects.filter(pk=posts[5].pk).update(deleted_at=timezone.now())
    Post.objects.filter(pk=posts[2].pk).update(score=-3)
    Thread.objects.filter(pk=thread.pk).update(accepted_answer=posts[2])
    long_answers = [post for n, post in enumerate(posts) if n % 3 and n != 5]
    assert len(long_body("closing", 1)) > ANSWER_MAX_CHARS
    assert len(long_answers) * ANSWER_MAX_CHARS > ANSWERS_MAX_CHARS
    thread.refresh_from_db()
    return thread


def test_bulk_documents_follow_the_rules_for_answers_caps_order_and_tags(crowded_thread, member):
    bare = ask(member, title="Is there a desktop app for the light wallet?", tags=())
    forget(bare, crowded_thread)

    written = search_index_threads_bulk([crowded_thread.pk, bare.pk, crowded_thread.pk])

    assert written == 2
    assert stored_document(crowded_thread) == expected_document(crowded_thread)
    assert stored_document(bare) == expected_document(bare)
    # The rules bite: the deleted answer and the words past the caps are not in it, the accepted answer is.
    document = stored_document(crowded_thread)
    assert "'answer':" in document
    assert "closing1" not in document
    assert "storag" in document
    assert "'zeta':" in document
    assert "'alpha':" in document


def test_bulk_indexing_in_chunks_on_several_connections_writes_every_thread(member, monkeypatch):
    from community.search import index

    monkeypatch.setattr(index, "BULK_CHUNK", 2)
    threads = [ask(member, title=f"Question number {n} about staking rewards") for n in range(5)]
    forget(*threads)

    # Inside the test's transaction the chunks run on this connection, which alone sees the rows.
    assert search_index_threads_bulk([t.pk for t in threads], workers=2) == 5
    assert all(stored_document(t) == expected_document(t) for t in threads)


def test_bulk_chunks_commit_without_waiting_for_the_disk_and_change_no_other_setting(monkeypatch):
    from community.search.backends import PostgresBackend

    seen: list[tuple] = []
    write = PostgresBackend.write_from_html

    def watched(self, thread_ids):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('synchronous_commit'), current_setting('default_toast_compression')")
            seen.append(cursor.fetchone())
        return write(self, thread_ids)

    monkeypatch.setattr(PostgresBackend, "write_from_html", watched)
    thread = ask(UserFactory())
    assert search_index_threads_bulk([thread.pk]) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('default_toast_compression')")
        (compression,) = cursor.fetchone()
    assert seen == [("off", compression)]
