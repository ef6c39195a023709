"""The Markdown toolbar and Preview on the editors, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, SpaceFactory, UserFactory, ask


def _ask_with_details(page, sign_in, member, text: str):
    """The ask page of a signed-in member, its Details holding `text` with the caret at the end."""
    SpaceFactory(name="Wallets", slug="wallets")
    sign_in(member.username, PASSWORD)
    page.goto("/ask/")
    details = page.get_by_label("Details")
    details.fill(text)
    details.press("End")
    return details


@pytest.mark.browser
def test_a_member_makes_text_bold_and_previews_it_as_the_post_will_show(page, page_problems, sign_in, member):
    details = _ask_with_details(page, sign_in, member, "Restart the app, then ")
    page.get_by_role("button", name="Bold").first.click()
    details.press_sequentially("sync again")
    expect(details).to_have_value("Restart the app, then **sync again**")

    page.get_by_role("button", name="Preview").first.click()

    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator("strong")).to_have_text("sync again")
    expect(page.get_by_role("button", name="Preview").first).to_have_attribute("aria-pressed", "true")
    assert page_problems.all() == []


@pytest.mark.browser
def test_the_comment_editor_has_the_toolbar_too_and_its_preview_is_sanitised(page, page_problems, sign_in, member):
    thread = ask(UserFactory(), SpaceFactory(name="Wallets", slug="wallets"))
    sign_in(member.username, PASSWORD)
    page.goto(f"/t/{thread.pk}/{thread.slug}/")
    page.get_by_text("Add a comment").first.click()
    comment = page.get_by_label("Your comment").first
    comment.fill("Press <kbd>Ctrl</kbd> <img src=x onerror=alert(1)>")
    comment_form = page.locator(".comment-form").first

    comment_form.get_by_role("button", name="Preview").click()

    preview = comment_form.get_by_role("region", name="Preview")
    expect(preview.locator("kbd")).to_have_text("Ctrl")
    expect(preview.locator("img")).to_have_count(0)
    assert page_problems.all() == []


@pytest.mark.browser
def test_without_javascript_the_editors_are_plain_textareas_that_still_post(browser, live_server, member):
    thread = ask(UserFactory(), SpaceFactory(name="Wallets", slug="wallets"))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username or email").fill(member.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.goto(f"/t/{thread.pk}/{thread.slug}/")
        expect(page.get_by_role("toolbar", name="Formatting")).to_have_count(0)

        page.get_by_label("Text", exact=True).fill("Restart the app, then **sync again** from the settings.")
        page.get_by_role("button", name="Post your answer").click()

        expect(page.locator(".answers .post-main > .post-body strong")).to_have_text("sync again")
    finally:
        context.close()


@pytest.mark.browser
def test_the_link_button_shows_a_drawn_icon_keeps_its_name_and_inserts_a_link(page, page_problems, sign_in, member):
    details = _ask_with_details(page, sign_in, member, "See ")

    link = page.get_by_role("button", name="Link", exact=True).first
    icon = link.locator("svg")
    expect(icon).to_be_visible()
    box = icon.bounding_box()
    assert box["width"] >= 12
    assert box["height"] >= 12
    link.click()

    expect(details).to_have_value(re.compile(r"^See \[.*\]\(.*\)$"))
    assert page_problems.all() == []
