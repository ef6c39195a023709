"""Community's signals: each write sends its one signal, with ids and plain values, after commit only."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction

from community import signals
from community.models import Comment, Post, Thread, Vote
from community.services.posts import answer_create, answer_delete, comment_create, comment_delete, post_edit
from community.services.votes import answer_accept, vote_cast
from tests.factories import answer, ask

pytestmark = pytest.mark.django_db

SIGNALS = {
    name: getattr(signals, name)
    for name in (
        "post_published",
        "post_edited",
        "post_hidden",
        "thread_visibility_changed",
        "comment_published",
        "comment_hidden",
        "vote_cast",
        "answer_accepted",
        "idea_status_changed",
    )
}


class RolledBack(Exception):
    pass


@contextmanager
def signals_received() -> Iterator[list[tuple[str, type, dict]]]:
    """(signal name, sender, arguments) of every community signal sent in the block."""
    calls: list[tuple[str, type, dict]] = []
    for name, signal in SIGNALS.items():

        def receiver(sender, signal, _name=name, **kwargs):
            calls.append((_name, sender, kwargs))

        signal.connect(receiver, weak=False, dispatch_uid=f"tests.received.{name}")
    try:
        yield calls
    finally:
        for name, signal in SIGNALS.items():
            signal.disconnect(dispatch_uid=f"tests.received.{name}")


@pytest.fixture
def received():
    with signals_received() as calls:
        yield calls


# Each case sets the scene (outside the capture), then returns the write to make and
# what it must send: (signal name, sender, arguments) computed from the write's result.
Case = Callable[..., tuple[Callable[[], object], Callable[[object], tuple[str, type, dict]]]]


def asking(member, other_member, staff):
    def sent(thread):
        post = thread.posts.get()
        args = {"post_id": post.pk, "thread_id": thread.pk, "author_id": member.pk, "kind": "opening"}
        return "post_published", Post, args

    return (lambda: ask(member, title="How do I move my wallet to a new phone?")), sent


def answering(member, other_member, staff):
    question = ask(member)

    def sent(post):
        return (
            "post_published",
            Post,
            {"post_id": post.pk, "thread_id": question.pk, "author_id": other_member.pk, "kind": "answer"},
        )

    return (lambda: answer(other_member, question)), sent


def commenting(member, other_member, staff):
    opening = ask(member).posts.get()

    def sent(comment):
        args = {
            "comment_id": comment.pk,
            "post_id": opening.pk,
            "thread_id": opening.thread_id,
            "author_id": other_member.pk,
        }
        return "comment_published", Comment, args

    return (lambda: comment_create(author=other_member, post=opening, body="Which phone do you have now?")), sent


def editing(member, other_member, staff):
    opening = ask(member).posts.get()

    def sent(revision):
        args = {"post_id": opening.pk, "thread_id": opening.thread_id, "editor_id": member.pk, "revision_number": 2}
        return "post_edited", Post, args

    return (lambda: post_edit(post=opening, editor=member, body="Edited: the recovery screen stays greyed out.")), sent


def voting(member, other_member, staff):
    opening = ask(member).posts.get()

    def sent(vote):
        args = {
            "post_id": opening.pk,
            "thread_id": opening.thread_id,
            "voter_id": other_member.pk,
            "post_author_id": member.pk,
            "value": -1,
            "previous": 0,
        }
        return "vote_cast", Vote, args

    return (lambda: vote_cast(voter=other_member, post=opening, value=-1)), sent


def accepting(member, other_member, staff):
    question = ask(member)
    reply = answer_create(author=other_member, thread=question, body="Restore it from the recovery phrase.")

    def sent(changed):
        args = {
            "thread_id": question.pk,
            "answer_id": reply.pk,
            "answer_author_id": other_member.pk,
            "actor_id": member.pk,
        }
        return "answer_accepted", Thread, args

    return (lambda: answer_accept(thread=question, answer=reply, actor=member)), sent


def deleting_an_answer(member, other_member, staff):
    reply = answer(other_member, ask(member))

    def sent(deleted):
        return "post_hidden", Post, {"post_id": reply.pk, "thread_id": reply.thread_id, "actor_id": other_member.pk}

    return (lambda: answer_delete(post=reply, actor=other_member)), sent


def _a_comment(member, other_member) -> Comment:
    """A comment by other_member under member's question, as the thread page loads it (post and thread)."""
    opening = ask(member).posts.get()
    made = comment_create(author=other_member, post=opening, body="Which phone do you have now?")
    return Comment.objects.select_related("post__thread").get(pk=made.pk)


def _comment_hidden(comment: Comment, actor) -> tuple[str, type, dict]:
    args = {"comment_id": comment.pk, "post_id": comment.post_id, "thread_id": comment.post.thread_id}
    return "comment_hidden", Comment, {**args, "actor_id": actor.pk}


def deleting_own_comment(member, other_member, staff):
    comment = _a_comment(member, other_member)

    def sent(deleted):
        return _comment_hidden(comment, other_member)

    return (lambda: comment_delete(comment=comment, actor=other_member)), sent


def deleting_a_comment_as_staff(member, other_member, staff):
    comment = _a_comment(member, other_member)

    def sent(deleted):
        return _comment_hidden(comment, staff)

    return (lambda: comment_delete(comment=comment, actor=staff)), sent


CASES = [
    asking,
    answering,
    commenting,
    editing,
    voting,
    accepting,
    deleting_an_answer,
    deleting_own_comment,
    deleting_a_comment_as_staff,
]


def sent_once_after_commit(case: Case, received, capture, *people) -> None:
    write, expected = case(*people)
    with capture() as callbacks:
        result = write()
    assert received == []  # nothing before the transaction commits
    for callback in callbacks:
        callback()
    assert received == [expected(result)]
    json.dumps(received[0][2])  # ids and plain values: a task can take them as they are


def sent_never_on_rollback(case: Case, received, capture, *people) -> None:
    write, _expected = case(*people)

    def write_then_roll_back():
        with transaction.atomic():
            write()
            raise RolledBack

    with capture(execute=True) as callbacks, pytest.raises(RolledBack):
        write_then_roll_back()
    assert received == []
    assert callbacks == []


@pytest.mark.parametrize("case", CASES)
def test_a_write_sends_its_signal_once_and_only_after_commit(
    case, received, django_capture_on_commit_callbacks, member, other_member, staff
):
    sent_once_after_commit(case, received, django_capture_on_commit_callbacks, member, other_member, staff)


@pytest.mark.parametrize("case", CASES)
def test_a_rolled_back_write_sends_nothing(
    case, received, django_capture_on_commit_callbacks, member, other_member, staff
):
    sent_never_on_rollback(case, received, django_capture_on_commit_callbacks, member, other_member, staff)


def test_a_write_that_changes_nothing_sends_nothing(received, django_capture_on_commit_callbacks, member, other_member):
    opening = ask(member).posts.get()
    vote_cast(voter=other_member, post=opening, value=1)
    with django_capture_on_commit_callbacks(execute=True):
        vote_cast(voter=other_member, post=opening, value=1)
        post_edit(post=opening, editor=member, body=opening.body)
    assert received == []


def test_deleting_a_comment_again_sends_nothing(
    received, django_capture_on_commit_callbacks, member, other_member, staff
):
    comment = _a_comment(member, other_member)
    with django_capture_on_commit_callbacks(execute=True):
        assert comment_delete(comment=comment, actor=other_member) is True
    assert received == [_comment_hidden(comment, other_member)]

    # The same object, and a fresh load of the row (as a second request would): neither changes anything.
    again = Comment.objects.select_related("post__thread").get(pk=comment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert comment_delete(comment=comment, actor=staff) is False
        assert comment_delete(comment=again, actor=staff) is False
    assert received == [_comment_hidden(comment, other_member)]
