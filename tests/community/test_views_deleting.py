"""Members deleting their own answers and comments, and editing their own comments, as on Stack Overflow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from community.models import Comment, Post, Thread
from community.search.selectors import search_threads
from community.services.posts import comment_create
from community.services.votes import answer_accept
from tests.factories import SpaceFactory, answer, ask

pytestmark = pytest.mark.django_db

ANSWER_BODY = "Reinstall the xylophonic companion app, then restore from the recovery phrase."
COMMENT_BODY = "Did you try the recovery phrase first?"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def thread_url(thread: Thread) -> str:
    return f"/t/{thread.pk}/{thread.slug}/"


@pytest.fixture
def question(member):
    return ask(member, SpaceFactory(slug="wallets"), title="How do I reset my wallet password?")


@pytest.fixture
def reply(question, other_member):
    return answer(other_member, question, body=ANSWER_BODY)


@pytest.fixture
def comment(reply, other_member):
    return comment_create(author=other_member, post=reply, body=COMMENT_BODY)


def age(comment: Comment, seconds: int) -> None:
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))


# --- Deleting an answer -------------------------------------------------------------------------


def test_the_author_confirms_and_their_answer_leaves_the_page_the_counts_and_search(
    client, other_member, question, reply, django_assert_max_num_queries
):
    client.force_login(other_member)
    assert [hit.id for hit in search_threads(user=other_member, query="xylophonic").hits] == [question.pk]
    page = client.get(thread_url(question)).content.decode()
    assert f'href="/p/{reply.pk}/delete/"' in page

    with django_assert_max_num_queries(12):
        confirm = client.get(reverse("post_delete", args=[reply.pk]))
    assert confirm.status_code == 200
    assert "Delete this answer?" in confirm.content.decode()
    assert "xylophonic" in confirm.content.decode()

    response = client.post(reverse("post_delete", args=[reply.pk]))

    assert response.status_code == 302
    assert response["Location"] == thread_url(question)
    assert messages_of(response) == ["The answer is deleted."]
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    question.refresh_from_db()
    assert question.answer_count == 0
    assert "xylophonic" not in client.get(thread_url(question)).content.decode()
    assert search_threads(user=other_member, query="xylophonic").hits == []


def test_another_member_cannot_delete_an_answer(client, member, question, reply):
    client.force_login(member)
    page = client.get(thread_url(question)).content.decode()
    assert f"/p/{reply.pk}/delete/" not in page

    confirm = client.get(reverse("post_delete", args=[reply.pk]))
    response = client.post(reverse("post_delete", args=[reply.pk]))

    assert confirm.status_code == 302
    assert response.status_code == 302
    assert messages_of(response)[-1] == "You cannot delete this answer."
    reply.refresh_from_db()
    assert reply.deleted_at is None
    question.refresh_from_db()
    assert question.answer_count == 1


def test_its_author_cannot_delete_an_accepted_answer(client, member, other_member, question, reply):
    answer_accept(thread=question, answer=reply, actor=member)
    client.force_login(other_member)
    assert f"/p/{reply.pk}/delete/" not in client.get(thread_url(question)).content.decode()

    response = client.post(reverse("post_delete", args=[reply.pk]))

    assert messages_of(response) == ["An accepted answer cannot be deleted by its author."]
    reply.refresh_from_db()
    assert reply.deleted_at is None


def test_staff_may_delete_an_accepted_answer_and_the_question_is_open_again(client, member, staff, question, reply):
    answer_accept(thread=question, answer=reply, actor=member)
    client.force_login(staff)

    response = client.post(reverse("post_delete", args=[reply.pk]))

    assert messages_of(response) == ["The answer is deleted."]
    question.refresh_from_db()
    assert question.accepted_answer_id is None
    assert question.answer_count == 0
    # Staff still see it, marked as deleted.
    assert "xylophonic" in client.get(thread_url(question)).content.decode()


def test_deleting_twice_changes_nothing_the_second_time(client, other_member, question, reply):
    client.force_login(other_member)
    client.post(reverse("post_delete", args=[reply.pk]))
    deleted_at = Post.objects.get(pk=reply.pk).deleted_at

    response = client.post(reverse("post_delete", args=[reply.pk]))

    assert response.status_code == 404  # a deleted post exists for staff only
    assert Post.objects.get(pk=reply.pk).deleted_at == deleted_at


def test_a_visitor_is_sent_to_sign_in(client, reply):
    response = client.post(reverse("post_delete", args=[reply.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    reply.refresh_from_db()
    assert reply.deleted_at is None


def test_an_opening_post_is_not_deleted_as_an_answer(client, member, question):
    opening = question.posts.get(kind="opening")
    client.force_login(member)

    client.post(reverse("post_delete", args=[opening.pk]))

    opening.refresh_from_db()
    assert opening.deleted_at is None


# --- Deleting a comment -------------------------------------------------------------------------


def test_the_author_deletes_their_comment_and_the_counts_follow(
    client, other_member, question, reply, comment, django_assert_max_num_queries
):
    client.force_login(other_member)
    with django_assert_max_num_queries(12):
        confirm = client.get(reverse("comment_delete", args=[comment.pk]))
    assert "Delete this comment?" in confirm.content.decode()

    response = client.post(reverse("comment_delete", args=[comment.pk]))

    assert response["Location"] == f"{thread_url(question)}#post-{reply.pk}"
    assert messages_of(response) == ["The comment is deleted."]
    reply.refresh_from_db()
    question.refresh_from_db()
    assert (reply.comment_count, question.comment_count) == (0, 0)
    assert COMMENT_BODY not in client.get(thread_url(question)).content.decode()


def test_another_member_cannot_delete_a_comment(client, member, question, comment):
    client.force_login(member)
    assert f"/c/{comment.pk}/delete/" not in client.get(thread_url(question)).content.decode()

    response = client.post(reverse("comment_delete", args=[comment.pk]))

    assert messages_of(response) == ["You cannot delete this comment."]
    comment.refresh_from_db()
    assert comment.deleted_at is None


def test_a_deleted_answer_takes_no_new_comments(other_member, reply):
    from community.services.posts import answer_delete

    answer_delete(post=reply, actor=other_member)

    with pytest.raises(Exception, match="You cannot comment here"):
        comment_create(author=other_member, post=Post.objects.get(pk=reply.pk), body=COMMENT_BODY)


# --- Editing a comment --------------------------------------------------------------------------


def test_the_author_edits_their_comment_within_the_window(
    client, other_member, question, comment, django_assert_max_num_queries
):
    client.force_login(other_member)
    assert f'href="/c/{comment.pk}/edit/"' in client.get(thread_url(question)).content.decode()
    with django_assert_max_num_queries(12):
        form = client.get(reverse("comment_edit", args=[comment.pk]))
    assert COMMENT_BODY in form.content.decode()

    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Did you try the **phrase** first?"})

    assert response["Location"] == f"{thread_url(question)}#comment-{comment.pk}"
    assert messages_of(response) == ["Your comment is saved."]
    comment.refresh_from_db()
    assert comment.body_html == "<p>Did you try the <strong>phrase</strong> first?</p>\n"
    assert comment.edited_at is not None
    assert "(edited)" in client.get(thread_url(question)).content.decode()


def test_the_author_cannot_edit_a_comment_past_the_window(client, settings, other_member, question, comment):
    settings.RAPPORT_COMMENT_EDIT_SECONDS = 300
    age(comment, 301)
    client.force_login(other_member)
    page = client.get(thread_url(question)).content.decode()
    assert f"/c/{comment.pk}/edit/" not in page
    assert f"/c/{comment.pk}/delete/" in page  # deleting has no window

    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Something else entirely, then."})

    assert messages_of(response) == ["The time to edit this comment has passed; you can still delete it."]
    comment.refresh_from_db()
    assert comment.body == COMMENT_BODY


def test_the_window_is_a_setting(client, settings, other_member, comment):
    settings.RAPPORT_COMMENT_EDIT_SECONDS = 3600
    age(comment, 301)
    client.force_login(other_member)

    client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Something else entirely, then."})

    comment.refresh_from_db()
    assert comment.body == "Something else entirely, then."


def test_staff_may_edit_a_comment_at_any_time(client, staff, comment):
    age(comment, 10 * 24 * 3600)
    client.force_login(staff)

    client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Removed a phone number from this."})

    comment.refresh_from_db()
    assert comment.body == "Removed a phone number from this."


def test_another_member_cannot_edit_a_comment(client, member, question, comment):
    client.force_login(member)
    assert f"/c/{comment.pk}/edit/" not in client.get(thread_url(question)).content.decode()

    form = client.get(reverse("comment_edit", args=[comment.pk]))
    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Something else entirely, then."})

    assert form.status_code == 302
    assert messages_of(response)[-1] == "You cannot edit this comment."
    comment.refresh_from_db()
    assert comment.body == COMMENT_BODY


def test_a_too_short_edit_comes_back_with_the_error(client, other_member, comment):
    client.force_login(other_member)

    response = client.post(reverse("comment_edit", args=[comment.pk]), {"body": "Short."})

    assert response.status_code == 200
    assert "The comment must be at least" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == COMMENT_BODY


def test_a_deleted_answer_leaves_the_page_visitors_have_cached(client, other_member, question, reply):
    visitor = type(client)()
    assert "xylophonic" in visitor.get(thread_url(question)).content.decode()  # now cached for visitors
    client.force_login(other_member)

    client.post(reverse("post_delete", args=[reply.pk]))

    assert "xylophonic" not in visitor.get(thread_url(question)).content.decode()


def test_deleting_bumps_the_visibility_version_every_visitor_page_is_keyed_on(other_member, reply):
    from community import caching
    from community.services.posts import answer_delete

    before = caching.lookup(caching.VISIBILITY_SCOPE, "probe")
    before.store("old")

    answer_delete(post=reply, actor=other_member)

    assert not caching.lookup(caching.VISIBILITY_SCOPE, "probe").hit


def test_the_delete_services_say_when_there_was_nothing_left_to_delete(other_member, reply, comment):
    from community.services.posts import answer_delete, comment_delete

    comment.post.thread = reply.thread
    assert comment_delete(comment=comment, actor=other_member) is True
    assert comment_delete(comment=comment, actor=other_member) is False
    assert answer_delete(post=reply, actor=other_member) is True
    assert answer_delete(post=reply, actor=other_member) is False
    assert Thread.objects.get(pk=reply.thread_id).answer_count == 0


def test_staff_still_see_a_deleted_answer_marked_and_members_do_not_see_it(client, member, staff, question, reply):
    from community.services.posts import answer_delete

    answer_delete(post=reply, actor=staff)

    client.force_login(staff)
    staff_page = client.get(thread_url(question)).content.decode()
    assert "post-deleted" in staff_page
    assert "xylophonic" in staff_page
    client.force_login(member)
    assert "xylophonic" not in client.get(thread_url(question)).content.decode()
