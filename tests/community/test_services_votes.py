from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community.models import Thread, Vote
from community.services.votes import answer_accept, vote_cast
from tests.factories import UserFactory, answer, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(member):
    return ask(member)


def test_an_upvote_counts_once_and_can_be_changed_and_retracted(question, other_member):
    post = question.posts.get(kind="opening")
    vote_cast(voter=other_member, post=post, value=1)
    vote_cast(voter=other_member, post=post, value=1)  # twice: still one vote
    post.refresh_from_db()
    question.refresh_from_db()
    assert (post.score, question.score, Vote.objects.count()) == (1, 1, 1)

    vote_cast(voter=other_member, post=post, value=-1)
    post.refresh_from_db()
    assert post.score == -1

    assert vote_cast(voter=other_member, post=post, value=0) is None
    post.refresh_from_db()
    question.refresh_from_db()
    assert (post.score, question.score, Vote.objects.count()) == (0, 0, 0)


def test_votes_from_several_members_add_up_on_answers_not_the_thread(question, other_member):
    reply = answer(other_member, question)
    for _ in range(3):
        vote_cast(voter=UserFactory(), post=reply, value=1)
    vote_cast(voter=UserFactory(), post=reply, value=-1)
    reply.refresh_from_db()
    question.refresh_from_db()
    assert reply.score == 2
    assert question.score == 0


def test_nobody_votes_on_their_own_post(question, member):
    with pytest.raises(PermissionDenied, match="own post"):
        vote_cast(voter=member, post=question.posts.get(), value=1)
    assert Vote.objects.count() == 0


def test_a_vote_must_be_up_down_or_retract(question, other_member):
    with pytest.raises(ValidationError):
        vote_cast(voter=other_member, post=question.posts.get(), value=5)


def test_anonymous_and_inactive_members_cannot_vote(question, anonymous):
    post = question.posts.get()
    with pytest.raises(PermissionDenied):
        vote_cast(voter=anonymous, post=post, value=1)
    with pytest.raises(PermissionDenied):
        vote_cast(voter=UserFactory(is_active=False), post=post, value=1)


def test_the_asker_accepts_an_answer_and_can_change_it(question, member, other_member):
    first = answer(other_member, question)
    second = answer(UserFactory(), question)
    assert answer_accept(thread=question, answer=first, actor=member) is True
    assert answer_accept(thread=question, answer=first, actor=member) is False  # idempotent
    assert Thread.objects.get(pk=question.pk).accepted_answer_id == first.pk
    answer_accept(thread=question, answer=second, actor=member)
    assert Thread.objects.get(pk=question.pk).accepted_answer_id == second.pk
    answer_accept(thread=question, answer=None, actor=member)
    assert Thread.objects.get(pk=question.pk).accepted_answer_id is None


def test_only_the_asker_or_staff_accept(question, other_member, staff):
    reply = answer(other_member, question)
    with pytest.raises(PermissionDenied):
        answer_accept(thread=question, answer=reply, actor=other_member)
    assert Thread.objects.get(pk=question.pk).accepted_answer_id is None
    assert answer_accept(thread=question, answer=reply, actor=staff) is True


def test_an_answer_from_another_question_cannot_be_accepted(question, member, other_member):
    elsewhere = answer(other_member, ask(other_member, title="Another question about staking rewards"))
    with pytest.raises(ValidationError):
        answer_accept(thread=question, answer=elsewhere, actor=member)


def test_accepting_announces_it_after_commit(question, member, other_member, django_capture_on_commit_callbacks):
    from community.signals import answer_accepted

    received = []

    def receiver(**kwargs):
        received.append(kwargs["answer_id"])

    answer_accepted.connect(receiver)
    try:
        reply = answer(other_member, question)
        with django_capture_on_commit_callbacks(execute=True):
            answer_accept(thread=question, answer=reply, actor=member)
    finally:
        answer_accepted.disconnect(receiver)
    assert received == [reply.pk]
