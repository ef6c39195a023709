"""Asking, answering and accepting, end to end in a real browser."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Thread
from config.celery import app as celery_app
from tests.factories import PASSWORD, SpaceFactory, ask


def sign_out(page) -> None:
    page.locator(".member-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()


@pytest.mark.browser
def test_a_member_asks_sees_similar_questions_another_answers_and_the_asker_accepts(
    page, page_problems, sign_in, member, other_member, monkeypatch
):
    # Notifications are written by outbox tasks enqueued on commit; with no worker in
    # this test they run at once in the server (a real worker runs them in
    # test_notifications_worker.py).
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    space = SpaceFactory(name="Wallets", slug="wallets")
    earlier = ask(other_member, space, title="Wallet password reset link has expired", tags=("wallet",))

    # Alice asks, and sees the earlier question suggested while she types the title.
    sign_in(member.username, PASSWORD)
    page.get_by_role("link", name="Ask a question").first.click()
    expect(page.get_by_role("heading", name="Ask a question")).to_be_visible()
    page.get_by_label("Space").select_option(label="Wallets")
    page.get_by_label("Title").press_sequentially("How do I reset my wallet password?", delay=20)
    similar = page.locator("#similar-threads")
    expect(similar.get_by_role("link", name=earlier.title)).to_be_visible()
    page.get_by_label("Details").fill("The recovery phrase screen is greyed out after three tries. What now?")
    page.get_by_label("Tags").fill("wallet, password")
    page.get_by_role("button", name="Post your question").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How do I reset my wallet password?")
    expect(page.locator(".messages")).to_contain_text("Your question is posted.")
    thread = Thread.objects.get(title="How do I reset my wallet password?")
    thread_path = f"/t/{thread.pk}/{thread.slug}/"
    sign_out(page)

    # Bob answers.
    sign_in(other_member.username, PASSWORD)
    page.goto(thread_path)
    page.get_by_label("Text").fill("Update the app first: versions before 4.2 lock that screen after three tries.")
    page.get_by_role("button", name="Post your answer").click()
    expect(page.get_by_role("heading", name="1 answer")).to_be_visible()
    # The answer's own body, not the comment editor's preview under it.
    expect(page.locator(".answers .post-main > .post-body")).to_contain_text("Update the app first")
    sign_out(page)

    # Alice votes the answer up and accepts it, without leaving the page.
    sign_in(member.username, PASSWORD)
    page.goto(thread_path)
    answer_post = page.locator(".answers article.post").first
    vote_up = answer_post.get_by_role("button", name="Vote up")
    expect(vote_up).to_have_attribute("aria-pressed", "false")
    vote_up.click()
    expect(answer_post.get_by_role("button", name="Vote up")).to_have_attribute("aria-pressed", "true")
    expect(answer_post.locator(".vote-score")).to_contain_text("1")
    expect(page.locator("#action-status")).to_contain_text("You voted this up")

    answer_post.get_by_role("button", name="Accept this answer").click()
    expect(answer_post.locator(".accepted-mark")).to_have_text(re.compile("Accepted answer"))
    expect(page.locator("#thread-solved")).to_have_text("Solved")

    # It stays solved: on the thread page and in the list.
    page.reload()
    expect(page.locator(".thread-header .badge-success")).to_have_text("Solved")
    page.goto("/questions/")
    row = page.locator(".thread-row", has_text="How do I reset my wallet password?")
    expect(row.locator(".badge-success")).to_have_text("Solved")
    thread.refresh_from_db()
    assert thread.accepted_answer_id is not None
    sign_out(page)

    # Bob sees on the bell that his answer was accepted, and the inbox takes him to it.
    sign_in(other_member.username, PASSWORD)
    bell = page.get_by_role("banner").locator("a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    item = page.locator(".notification-list li.unread")
    expect(item).to_contain_text("Your answer was accepted")
    expect(item).to_contain_text("alice")
    item.get_by_role("link", name="How do I reset my wallet password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How do I reset my wallet password?")
    assert page_problems.all() == []


@pytest.mark.browser
def test_a_refused_vote_says_why_in_place_and_changes_nothing(page, page_problems, sign_in, member, other_member):
    thread = ask(member, SpaceFactory(), title="How do I export my wallet history?")
    opening = thread.posts.get()
    sign_in(other_member.username, PASSWORD)
    page.goto(f"/t/{thread.pk}/{thread.slug}/")

    # A moderator locks the thread while the page is open.
    Thread.objects.filter(pk=thread.pk).update(locked_at=timezone.now())
    page.locator(f"#vote-{opening.pk}").get_by_role("button", name="Vote up").click()

    expect(page.locator(f"#vote-{opening.pk} .action-error")).to_have_text("You cannot vote on this post.")
    opening.refresh_from_db()
    assert opening.score == 0
    # The refusal is the only problem: the browser logs the 403 itself, nothing else went wrong.
    refused = f"/p/{opening.pk}/vote/"
    assert [e for e in page_problems.console_errors if "403" not in e or refused not in e] == []
    assert page_problems.csp_violations == []
    assert [r for r in page_problems.failed_requests if not r.startswith("403 POST") or refused not in r] == []
