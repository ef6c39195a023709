from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from community.models import Comment, Post, Revision, Thread
from community.services.posts import answer_create, comment_create, post_edit, post_rollback
from tests.factories import answer, ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(member):
    return ask(member)


def test_answering_counts_and_bumps_activity(question, other_member):
    before = question.last_activity_at
    reply = answer(other_member, question)
    question.refresh_from_db()
    assert question.answer_count == 1
    assert question.last_activity_at >= before
    assert reply.revisions.count() == 1


def test_a_locked_thread_takes_no_answers_or_edits(question, member, other_member):
    Thread.objects.filter(pk=question.pk).update(locked_at=timezone.now())
    question.refresh_from_db()
    with pytest.raises(PermissionDenied, match="closed"):
        answer_create(author=other_member, thread=question, body="This answer should never be stored.")
    with pytest.raises(PermissionDenied, match="locked"):
        post_edit(post=question.posts.get(), editor=member, body="An edit that must not be stored anywhere.")
    assert Post.objects.count() == 1


def test_comments_have_their_own_length_limits(question, other_member):
    post = question.posts.get()
    with pytest.raises(ValidationError, match="at least 15"):
        comment_create(author=other_member, post=post, body="too short")
    with pytest.raises(ValidationError, match="at most 600"):
        comment_create(author=other_member, post=post, body="z" * 601)
    comment_create(author=other_member, post=post, body="Have you tried restarting the app?")
    post.refresh_from_db()
    assert post.comment_count == 1
    assert Thread.objects.get(pk=question.pk).comment_count == 1
    assert Comment.objects.count() == 1


def test_editing_keeps_every_revision_and_rollback_restores_one(question, member):
    post = question.posts.get()
    original = post.body
    rev2 = post_edit(
        post=post, editor=member, body="Updated: the recovery screen is greyed out since 2.1.", reason="more detail"
    )
    assert rev2.number == 2
    assert rev2.reason == "more detail"
    assert post_edit(post=post, editor=member, body=post.body) is None  # no change, no revision
    rev3 = post_rollback(post=post, revision=post.revisions.get(number=1), editor=member)
    assert rev3.number == 3
    post.refresh_from_db()
    assert post.body == original
    assert list(Revision.objects.filter(post=post).values_list("number", flat=True)) == [1, 2, 3]


def test_editing_the_opening_post_can_change_title_and_tags(question, member):
    post = question.posts.get()
    post_edit(
        post=post,
        editor=member,
        body=post.body,
        title="How do I reset a forgotten wallet password?",
        tags="wallet, security",
    )
    question.refresh_from_db()
    assert question.title == "How do I reset a forgotten wallet password?"
    assert sorted(question.tags.names()) == ["security", "wallet"]


def test_others_cannot_edit_but_staff_can(question, other_member, staff):
    post = question.posts.get()
    with pytest.raises(PermissionDenied):
        post_edit(post=post, editor=other_member, body="Vandalism that must never be stored.")
    assert post_edit(post=post, editor=staff, body="Staff fixed the formatting of this question.") is not None


def test_script_in_a_post_never_reaches_the_page(question, other_member):
    reply = answer_create(
        author=other_member,
        thread=question,
        body="<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    assert "<script" not in reply.body_html
    assert 'href="javascript' not in reply.body_html.lower()
    # Raw HTML is shown as text, never as an element.
    assert "<img" not in reply.body_html
    assert "&lt;img" in reply.body_html
