from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from community.models import BodyFormat, Comment, Post, Revision, Thread, Vote
from community.rendering import html_to_text, render_markdown
from community.services.posts import post_edit
from community.services.votes import answer_accept, vote_cast
from tests.community.stackexchange_sample import import_cardano_questions, imported_post
from tests.community.test_rendering import tags_in
from tests.factories import SpaceFactory, answer, ask

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def html_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def question(member):
    return ask(member, SpaceFactory(slug="wallets"), title="How do I reset my wallet password?")


@pytest.fixture
def opening(question):
    return question.posts.get(kind="opening")


@pytest.fixture
def reply(question, other_member):
    return answer(other_member, question)


def thread_url(thread: Thread) -> str:
    return f"/t/{thread.pk}/{thread.slug}/"


# --- Votes --------------------------------------------------------------------------------------


def test_an_htmx_vote_returns_only_the_widget_pressed_with_the_new_score(client, member, reply):
    client.force_login(member)

    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "1"}, **HTMX)

    html = html_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<div class="vote" id="vote-{reply.pk}"')
    assert 'value="0" class="vote-button vote-up" aria-pressed="true"' in html
    assert '<span class="visually-hidden">Score: </span>1</span>' in html
    assert 'id="action-status" hx-swap-oob="innerHTML">You voted this up. The score is 1.' in html
    reply.refresh_from_db()
    assert reply.score == 1


def test_voting_again_with_the_pressed_button_withdraws_the_vote(client, member, reply):
    client.force_login(member)
    client.post(reverse("post_vote", args=[reply.pk]), {"value": "1"}, **HTMX)
    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "0"}, **HTMX)

    assert 'value="1" class="vote-button vote-up" aria-pressed="false"' in html_of(response)
    assert not Vote.objects.exists()


def test_a_plain_vote_redirects_back_to_the_post_with_a_message(client, member, question, reply):
    client.force_login(member)

    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "-1"})

    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(question)}#post-{reply.pk}"
    assert messages_of(response) == ["Thanks, your vote is counted."]
    assert Vote.objects.get().value == -1


def test_voting_on_your_own_post_is_refused_with_a_clear_message_and_changes_nothing(client, member, opening):
    client.force_login(member)

    response = client.post(reverse("post_vote", args=[opening.pk]), {"value": "1"})
    assert response.status_code == 302
    assert messages_of(response) == ["You cannot vote on your own post."]

    response = client.post(reverse("post_vote", args=[opening.pk]), {"value": "1"}, **HTMX)
    assert response.status_code == 403
    assert '<p class="action-error" role="alert">You cannot vote on your own post.</p>' in html_of(response)

    opening.refresh_from_db()
    assert (opening.score, Vote.objects.count()) == (0, 0)


def test_a_vote_that_is_neither_up_nor_down_is_a_bad_request(client, member, reply):
    client.force_login(member)
    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "5"}, **HTMX)
    assert response.status_code == 400
    assert "A vote is up or down." in html_of(response)
    assert not Vote.objects.exists()


def test_a_visitor_who_votes_is_sent_to_sign_in_and_comes_back_to_the_post(client, question, reply):
    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")

    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "1"}, **HTMX)
    assert response["HX-Redirect"].startswith(reverse("account_login"))
    assert not Vote.objects.exists()


def test_votes_on_a_locked_thread_are_refused(client, member, question, reply):
    Thread.objects.filter(pk=question.pk).update(locked_at=timezone.now())
    client.force_login(member)
    response = client.post(reverse("post_vote", args=[reply.pk]), {"value": "1"}, **HTMX)
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_posts_in_spaces_the_voter_cannot_see_are_not_found(client, member, staff):
    hidden = ask(staff, SpaceFactory(visibility="staff"))
    client.force_login(member)
    response = client.post(reverse("post_vote", args=[hidden.posts.get().pk]), {"value": "1"})
    assert response.status_code == 404


# --- Accepting ----------------------------------------------------------------------------------


def test_the_asker_accepts_through_htmx_and_the_widget_and_badge_update(client, member, question, reply):
    client.force_login(member)

    response = client.post(reverse("post_accept", args=[reply.pk]), {"on": "1"}, **HTMX)

    html = html_of(response)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div class="accept" id="accept-{reply.pk}"')
    assert "Accepted answer" in html
    assert '<span id="thread-solved" hx-swap-oob="true"><span class="badge badge-success">Solved</span></span>' in html
    question.refresh_from_db()
    assert question.accepted_answer_id == reply.pk


def test_accepting_another_answer_clears_the_previous_mark_in_the_same_response(client, member, question, reply):
    first = answer(member, question, body="Actually, restarting the phone also works.")
    answer_accept(thread=question, answer=first, actor=member)
    client.force_login(member)

    html = html_of(client.post(reverse("post_accept", args=[reply.pk]), {"on": "1"}, **HTMX))

    assert f'<div class="accept" id="accept-{first.pk}" data-swap-errors hx-swap-oob="outerHTML">' in html
    question.refresh_from_db()
    assert question.accepted_answer_id == reply.pk


def test_another_member_cannot_accept_and_nothing_changes(client, other_member, question, reply):
    client.force_login(other_member)

    response = client.post(reverse("post_accept", args=[reply.pk]), {"on": "1"})
    assert messages_of(response) == ["Only the person who asked can accept an answer."]
    response = client.post(reverse("post_accept", args=[reply.pk]), {"on": "1"}, **HTMX)
    assert response.status_code == 403
    assert "Only the person who asked can accept an answer." in html_of(response)

    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_staff_can_accept_on_the_askers_behalf(client, staff, question, reply):
    client.force_login(staff)
    response = client.post(reverse("post_accept", args=[reply.pk]), {"on": "1"})
    assert messages_of(response) == ["You accepted this answer."]
    question.refresh_from_db()
    assert question.accepted_answer_id == reply.pk


def test_the_asker_can_unaccept_and_the_page_shows_it_solved_until_then(client, member, question, reply):
    answer_accept(thread=question, answer=reply, actor=member)
    client.force_login(member)
    assert ">Solved</span>" in html_of(client.get(thread_url(question)))

    response = client.post(reverse("post_accept", args=[reply.pk]), {"on": "0"})

    assert messages_of(response) == ["The answer is no longer accepted."]
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_the_opening_post_cannot_be_accepted(client, member, opening, question):
    client.force_login(member)
    response = client.post(reverse("post_accept", args=[opening.pk]), {"on": "1"}, **HTMX)
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.accepted_answer_id is None


# --- Comments ----------------------------------------------------------------------------------


def test_a_member_comments_and_lands_on_the_comment(client, other_member, question, opening):
    client.force_login(other_member)
    response = client.post(reverse("comment_create", args=[opening.pk]), {"body": "Which version of the app is it?"})
    comment = Comment.objects.get()
    assert response["Location"] == f"{thread_url(question)}#comment-{comment.pk}"


def test_a_too_short_comment_reopens_its_form_with_the_error_and_the_text(client, other_member, opening, reply):
    client.force_login(other_member)

    response = client.post(reverse("comment_create", args=[opening.pk]), {"body": "Which one?"})

    html = html_of(response)
    assert response.status_code == 200
    assert '<details class="comment-add" open>' in html
    assert html.count('<details class="comment-add" open>') == 1
    assert ">Which one?</textarea>" in html
    assert f'id="comment-body-{opening.pk}-error" role="alert"' in html
    assert "The comment must be at least" in html
    assert not Comment.objects.exists()


def test_comments_on_a_locked_thread_are_refused(client, other_member, question, opening):
    Thread.objects.filter(pk=question.pk).update(locked_at=timezone.now())
    client.force_login(other_member)
    response = client.post(reverse("comment_create", args=[opening.pk]), {"body": "Which version of the app is it?"})
    assert messages_of(response) == ["You cannot comment here."]
    assert not Comment.objects.exists()


def test_a_visitor_who_comments_is_sent_to_sign_in(client, opening):
    response = client.post(reverse("comment_create", args=[opening.pk]), {"body": "Which version of the app is it?"})
    assert response["Location"].startswith(reverse("account_login"))


# --- Editing -------------------------------------------------------------------------------------


def test_the_author_edits_the_question_title_tags_and_text_with_a_reason(client, member, question, opening):
    client.force_login(member)
    form = html_of(client.get(reverse("post_edit", args=[opening.pk])))
    assert 'value="How do I reset my wallet password?"' in form
    assert 'value="wallet"' in form

    response = client.post(
        reverse("post_edit", args=[opening.pk]),
        {
            "title": "Resetting a wallet password on version 4.1",
            "tags": "wallet, version-4",
            "body": opening.body + "\n\nI am on version 4.1.",
            "reason": "added the version",
        },
    )

    question.refresh_from_db()
    assert response["Location"] == f"{thread_url(question)}#post-{opening.pk}"
    assert question.title == "Resetting a wallet password on version 4.1"
    assert sorted(question.tags.names()) == ["version-4", "wallet"]
    assert Revision.objects.filter(post=opening).latest("number").reason == "added the version"


def test_an_answer_edit_form_has_no_title_or_tags(client, other_member, reply):
    client.force_login(other_member)
    html = html_of(client.get(reverse("post_edit", args=[reply.pk])))
    assert 'name="title"' not in html
    assert 'name="body"' in html


def test_a_bad_edit_keeps_what_was_typed(client, member, opening):
    client.force_login(member)
    response = client.post(
        reverse("post_edit", args=[opening.pk]), {"title": "Too short", "tags": "", "body": "Tiny", "reason": "oops"}
    )
    html = html_of(response)
    assert response.status_code == 200
    assert 'value="Too short"' in html
    assert "Tiny</textarea>" in html
    assert Revision.objects.filter(post=opening).count() == 1


@pytest.mark.parametrize(("persona", "status"), [("other_member", 403), ("anonymous", 302)])
def test_only_those_who_may_edit_see_the_edit_page(request, client, opening, persona, status):
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    assert client.get(reverse("post_edit", args=[opening.pk])).status_code == status
    response = client.post(reverse("post_edit", args=[opening.pk]), {"title": "x" * 20, "body": "y" * 30})
    assert response.status_code == status
    opening.refresh_from_db()
    assert opening.edited_at is None


def test_the_edit_link_shows_only_to_those_who_may_edit(client, member, other_member, question, opening):
    edit_url = reverse("post_edit", args=[opening.pk])
    client.force_login(member)
    assert f'href="{edit_url}"' in html_of(client.get(thread_url(question)))
    client.force_login(other_member)
    assert f'href="{edit_url}"' not in html_of(client.get(thread_url(question)))


# --- History and rollback --------------------------------------------------------------------------


def test_the_history_shows_each_revision_with_an_escaped_readable_diff(client, member, other_member, opening):
    post_edit(post=opening, editor=member, body="Now with <script>alert(1)</script> in it.", reason="testing")

    html = html_of(client.get(reverse("post_history", args=[opening.pk])))

    assert "Revision 2" in html
    assert "Revision 1" in html
    assert '<div class="diff-line diff-added">' in html
    assert '<div class="diff-line diff-removed">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "Roll back to revision 1" not in html  # visitors cannot roll back

    client.force_login(other_member)
    assert "Roll back to revision 1" not in html_of(client.get(reverse("post_history", args=[opening.pk])))
    client.force_login(member)
    assert "Roll back to revision 1" in html_of(client.get(reverse("post_history", args=[opening.pk])))


def test_rolling_back_restores_an_earlier_text_as_a_new_revision(client, member, opening):
    original = opening.body
    post_edit(post=opening, editor=member, body="A completely different text for this post.")
    client.force_login(member)

    response = client.post(reverse("post_rollback", args=[opening.pk, 1]))

    opening.refresh_from_db()
    assert response.status_code == 302
    assert opening.body == original
    assert Revision.objects.filter(post=opening).count() == 3


def test_another_member_cannot_roll_back(client, member, other_member, opening):
    post_edit(post=opening, editor=member, body="A completely different text for this post.")
    client.force_login(other_member)

    response = client.post(reverse("post_rollback", args=[opening.pk, 1]))

    assert messages_of(response) == ["You cannot edit this post."]
    opening.refresh_from_db()
    assert opening.body == "A completely different text for this post."


def test_an_unknown_revision_is_not_found(client, member, opening):
    client.force_login(member)
    assert client.post(reverse("post_rollback", args=[opening.pk, 9])).status_code == 404


def test_a_deleted_answer_is_not_found_except_by_staff(client, member, staff, reply):
    Post.objects.filter(pk=reply.pk).update(deleted_at=timezone.now())
    client.force_login(member)
    assert client.get(reverse("post_history", args=[reply.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("post_history", args=[reply.pk])).status_code == 200


def test_vote_cast_and_the_page_agree_on_the_score(client, member, question, reply):
    vote_cast(voter=member, post=reply, value=1)
    html = html_of(client.get(thread_url(question)))
    assert '<span class="visually-hidden">Score: </span>1</span>' in html


# --- Imported posts: edited as Markdown, rolled back to their HTML ------------------------------


def textarea_of(html: str) -> str:
    found = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', html, flags=re.DOTALL)
    return unescape(found.group(1)).removeprefix("\n")


def shown_parts(body_html: str) -> tuple[str, list[tuple]]:
    """What a reader sees of a post: its words, and its links, images, code blocks and list items in order."""
    parts = [
        (tag, attrs.get("href") or attrs.get("src") or "")
        for tag, attrs in tags_in(body_html)
        if tag in {"a", "img", "pre", "li", "ul", "ol", "code", "h3", "h4", "h5", "h6"}
    ]
    return " ".join(html_to_text(body_html).split()), parts


@pytest.fixture
def imported(tmp_path):
    # 4281: code, a linked screenshot, a list, inline code; 58: headings, lists of links, long code blocks.
    return import_cardano_questions(tmp_path, 4281, 58)


@pytest.mark.parametrize("source_id", [4281, 4282, 58, 285])
def test_the_edit_page_of_an_imported_post_holds_markdown_not_html(client, staff, imported, source_id):
    post = imported_post(source_id)
    assert post.body_format == BodyFormat.HTML
    assert post.body.startswith("<")
    client.force_login(staff)

    body = textarea_of(html_of(client.get(reverse("post_edit", args=[post.pk]))))

    assert not re.search(r"</?(p|pre|code|a|img|ul|li|h\d)\b", body), body
    assert render_markdown(body) != body


def test_the_markdown_of_an_imported_post_has_its_code_block_image_link_and_list(client, staff, imported):
    client.force_login(staff)
    body = textarea_of(html_of(client.get(reverse("post_edit", args=[imported_post(4281).pk]))))
    assert "```\nofferValidator :: Scripts.TypedValidator Offer\n" in body
    assert (
        "[![parse error on input ‘\\]’](https://i.stack.imgur.com/oum30.png)](https://i.stack.imgur.com/oum30.png)"
        in body
    )
    assert "- using ghc version ghc-8.10.7\n- cabal version 3.6.0" in body
    assert "`cabal update`" in body


@pytest.mark.parametrize("source_id", [4281, 58])
def test_saving_an_imported_post_unchanged_changes_nothing_and_shows_the_same_text(client, staff, imported, source_id):
    post = imported_post(source_id)
    thread = post.thread
    before = html_of(client.get(thread_url(thread)))
    client.force_login(staff)
    page = html_of(client.get(reverse("post_edit", args=[post.pk])))
    form = {"title": thread.title, "tags": ", ".join(sorted(thread.tags.names())), "reason": ""}
    # A browser sends the textarea's line breaks as CRLF.
    form["body"] = textarea_of(page).replace("\n", "\r\n")

    response = client.post(reverse("post_edit", args=[post.pk]), form)

    assert messages_of(response) == ["Nothing changed, so nothing was saved."]
    refreshed = imported_post(source_id)
    assert (refreshed.body, refreshed.body_format, refreshed.body_html) == (post.body, post.body_format, post.body_html)
    client.logout()
    after = html_of(client.get(thread_url(thread)))
    assert post.body_html in after
    assert post.body_html in before
    assert "&lt;p&gt;" not in after


@pytest.mark.parametrize("source_id", [4281, 4282, 58, 285])
def test_editing_an_imported_post_keeps_its_code_links_lists_and_images(client, staff, imported, source_id):
    post = imported_post(source_id)
    client.force_login(staff)
    body = textarea_of(html_of(client.get(reverse("post_edit", args=[post.pk]))))
    form = {"body": body + "\nEdited here.\n", "reason": "added a line"}
    if post.kind == "opening":
        form |= {"title": post.thread.title, "tags": ", ".join(sorted(post.thread.tags.names()))}

    response = client.post(reverse("post_edit", args=[post.pk]), form)

    assert messages_of(response) == ["Your edit is saved."]
    edited = imported_post(source_id)
    assert edited.body_format == BodyFormat.MARKDOWN
    assert edited.body == body.strip() + "\n\nEdited here."
    text, parts = shown_parts(edited.body_html)
    original_text, original_parts = shown_parts(post.body_html)
    assert text == original_text + " Edited here."
    assert parts == original_parts
    assert "&lt;p&gt;" not in html_of(client.get(thread_url(post.thread)))


def test_rolling_back_an_edited_imported_post_to_revision_one_shows_its_html_again(client, staff, imported):
    post = imported_post(4281)
    client.force_login(staff)
    form = {"title": "Parse error on ']' in cabal build", "tags": "plutus, cabal", "body": "Now in my own words."}
    client.post(reverse("post_edit", args=[post.pk]), form)
    assert imported_post(4281).body_format == BodyFormat.MARKDOWN

    response = client.post(reverse("post_rollback", args=[post.pk, 1]))

    assert response.status_code == 302
    restored = imported_post(4281)
    assert (restored.body, restored.body_format) == (post.body.strip(), BodyFormat.HTML)
    assert shown_parts(restored.body_html) == shown_parts(post.body_html)
    assert restored.thread.title == post.thread.title
    assert list(restored.revisions.values_list("number", "body_format")) == [
        (1, BodyFormat.HTML),
        (2, BodyFormat.MARKDOWN),
        (3, BodyFormat.HTML),
    ]
    page = html_of(client.get(thread_url(post.thread)))
    assert restored.body_html in page
    assert "&lt;p&gt;" not in page


def test_changing_only_the_tags_of_an_imported_question_keeps_its_html(client, staff, imported):
    post = imported_post(4281)
    client.force_login(staff)
    body = textarea_of(html_of(client.get(reverse("post_edit", args=[post.pk]))))
    form = {"title": post.thread.title, "tags": "plutus, cabal", "body": body}

    client.post(reverse("post_edit", args=[post.pk]), form)

    edited = imported_post(4281)
    assert (edited.body, edited.body_format, edited.body_html) == (post.body, BodyFormat.HTML, post.body_html)
    assert sorted(edited.thread.tags.names()) == ["cabal", "plutus"]


def test_the_history_of_an_edited_imported_post_diffs_markdown_with_markdown(client, staff, imported):
    post = imported_post(4282)
    client.force_login(staff)
    body = textarea_of(html_of(client.get(reverse("post_edit", args=[post.pk]))))
    client.post(reverse("post_edit", args=[post.pk]), {"body": body + "\nEdited here.\n"})

    history = html_of(client.get(reverse("post_history", args=[post.pk])))

    assert "&lt;p&gt;" not in history
    assert "Edited here." in history


def test_a_native_post_still_opens_and_rolls_back_as_its_own_markdown(client, member, opening):
    original = opening.body
    post_edit(post=opening, editor=member, body="A completely different text, with **bold**.")
    client.force_login(member)
    assert textarea_of(html_of(client.get(reverse("post_edit", args=[opening.pk])))).strip() == (
        "A completely different text, with **bold**."
    )
    client.post(reverse("post_rollback", args=[opening.pk, 1]))
    opening.refresh_from_db()
    assert (opening.body, opening.body_format) == (original, BodyFormat.MARKDOWN)
