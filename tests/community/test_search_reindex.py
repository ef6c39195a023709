"""Accepting an answer and votes keep the search document's answers current, through a task run after commit."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from community import outbox
from community.handlers import search_index_thread
from community.models import Delivery, Thread
from community.search.documents import ANSWERS_INDEXED, build_documents
from community.search.selectors import search_threads
from community.services.votes import answer_accept, vote_cast
from tests.factories import UserFactory, answer, ask

pytestmark = pytest.mark.django_db


REINDEX = "community.search_index_thread"


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Thread ids the reindexing job was enqueued with after commit (the broker is not needed to see them)."""
    ids: list[int] = []

    def send(delivery_id: int, handler: str, *, retry: bool) -> None:
        if handler == REINDEX:
            ids.append(Delivery.objects.get(pk=delivery_id).payload["thread_id"])

    monkeypatch.setattr(outbox, "_send", send)
    return ids


@pytest.fixture
def crowded(member):
    """A question with one answer more than a document holds; the last one, newest, mentions a quokka."""
    thread = ask(member, title="Which hardware wallet should I buy?")
    for n in range(ANSWERS_INDEXED):
        answer(UserFactory(), thread, body=f"Any of them will do, says answer number {n}.")
    last = answer(UserFactory(), thread, body="Mine is shaped like a quokka and it works fine.")
    return thread, last


def found(user, query: str) -> list[int]:
    return [hit.id for hit in search_threads(user=user, query=query).hits]


def run_enqueued(ids: list[int]) -> None:
    for delivery in Delivery.objects.filter(handler=REINDEX, done_at__isnull=True):
        assert delivery.payload["thread_id"] in ids
        for _ in range(2):  # delivered twice: the same end state
            outbox.deliver(delivery.pk)
    ids.clear()


def test_accepting_an_answer_beyond_the_indexed_ones_makes_it_searchable_after_commit(
    crowded, member, enqueued, django_capture_on_commit_callbacks
):
    thread, last = crowded
    assert found(member, "quokka") == []

    with django_capture_on_commit_callbacks(execute=True):
        answer_accept(thread=thread, answer=last, actor=member)
        assert enqueued == []  # nothing before commit
    assert enqueued == [thread.pk]
    run_enqueued(enqueued)
    assert found(member, "quokka") == [thread.pk]

    with django_capture_on_commit_callbacks(execute=True):
        answer_accept(thread=thread, answer=None, actor=member)
    assert enqueued == [thread.pk]
    run_enqueued(enqueued)
    assert found(member, "quokka") == []


def test_a_vote_that_lifts_an_answer_into_the_indexed_ones_reindexes_the_thread(
    crowded, member, other_member, enqueued, django_capture_on_commit_callbacks
):
    thread, last = crowded
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=other_member, post=last, value=1)
    assert enqueued == [thread.pk]
    run_enqueued(enqueued)
    assert found(member, "quokka") == [thread.pk]

    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=other_member, post=last, value=0)  # retracted: back behind the others
    assert enqueued == [thread.pk]
    run_enqueued(enqueued)
    assert found(member, "quokka") == []


def test_votes_that_cannot_reorder_the_answers_enqueue_nothing(
    member, other_member, enqueued, django_capture_on_commit_callbacks
):
    lonely = ask(member, title="A question with a single answer")
    only = answer(other_member, lonely)
    busy = ask(member, title="A question with a clear favourite")
    favourite, runner_up = answer(other_member, busy), answer(UserFactory(), busy)
    vote_cast(voter=UserFactory(), post=favourite, value=1)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=UserFactory(), post=only, value=1)  # no other answer
        vote_cast(voter=other_member, post=lonely.posts.get(kind="opening"), value=1)  # the question itself
        vote_cast(voter=UserFactory(), post=favourite, value=1)  # 1 -> 2, passing nobody at 0
        vote_cast(voter=member, post=runner_up, value=-1)  # 0 -> -1, passing nobody

    assert enqueued == []


def test_a_vote_that_ties_with_another_answer_reindexes_as_ties_are_broken_by_age(
    member, other_member, enqueued, django_capture_on_commit_callbacks
):
    thread = ask(member, title="A question with two answers")
    first, second = answer(other_member, thread), answer(UserFactory(), thread)
    vote_cast(voter=UserFactory(), post=first, value=1)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=member, post=second, value=1)  # 0 -> 1: level with the first

    assert enqueued == [thread.pk]


def test_a_vote_on_the_accepted_answer_enqueues_nothing_as_it_stays_first(
    member, other_member, enqueued, django_capture_on_commit_callbacks
):
    thread = ask(member, title="A question with an accepted answer")
    accepted, other = answer(other_member, thread), answer(UserFactory(), thread)
    answer_accept(thread=thread, answer=accepted, actor=member)
    vote_cast(voter=member, post=other, value=1)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=UserFactory(), post=accepted, value=1)  # 0 -> 1, level with the other: still first

    assert enqueued == []


def test_a_rolled_back_accept_or_vote_enqueues_nothing(
    crowded, member, other_member, enqueued, django_capture_on_commit_callbacks
):
    thread, last = crowded

    def accept_and_vote_then_fail():
        with transaction.atomic():
            answer_accept(thread=thread, answer=last, actor=member)
            vote_cast(voter=other_member, post=last, value=1)
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        accept_and_vote_then_fail()
    assert enqueued == []


def test_the_job_writes_the_current_document_and_ignores_a_thread_that_is_gone(crowded, member):
    thread, last = crowded
    Thread.objects.filter(pk=thread.pk).update(accepted_answer_id=last.pk)  # as if the accept's task had not run

    for _ in range(2):
        search_index_thread(thread_id=thread.pk)
        assert found(member, "quokka") == [thread.pk]
    assert "quokka" in build_documents([thread.pk])[0].body

    search_index_thread(thread_id=thread.pk + 1000)  # no such thread: nothing to do, no error


def test_deciding_whether_to_reindex_costs_a_vote_two_small_reads(member, other_member):
    thread = ask(member, title="A question to count the queries of a vote")
    reply = answer(other_member, thread)
    answer(UserFactory(), thread)
    voter = UserFactory()

    with CaptureQueriesContext(connection) as captured:
        vote_cast(voter=voter, post=reply, value=1)

    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    # Lock the post, read the vote, write it, update the score; then the accepted answer and one
    # EXISTS; and, as this vote ties the two answers, one INSERT recording the reindexing job.
    assert len(statements) == 7, statements
    assert "accepted_answer_id" in statements[-3]
    assert statements[-2].startswith("SELECT 1 AS")
    assert statements[-1].startswith('INSERT INTO "community_delivery"')
