"""Signing up and managing an account, end to end in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


@pytest.mark.browser
def test_a_newcomer_signs_up_confirms_their_email_and_lands_signed_in(page, page_problems, live_server, mailoutbox):
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="Join the community").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()

    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign Up").click()

    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["newcomer@example.com"]
    link = CONFIRMATION_LINK.search(mailoutbox[0].body)
    assert link, mailoutbox[0].body

    page.goto(link[0])
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("status")).to_contain_text("You have confirmed newcomer@example.com")
    header = page.get_by_role("banner")
    menu = header.locator(".member-menu summary")
    expect(menu).to_have_text("N newcomer account menu")
    expect(menu).to_have_accessible_name("newcomer account menu")
    menu.click()
    expect(header.get_by_role("link", name="Your profile")).to_have_attribute("href", "/u/newcomer/")
    expect(header.get_by_role("button", name="Sign out")).to_be_visible()
    assert page_problems.all() == []


@pytest.mark.browser
def test_signup_mistakes_are_announced_next_to_their_fields(page, page_problems):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("someone@example.com")
    page.get_by_label("Username").fill("someone")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-different-passphrase")
    page.get_by_role("button", name="Sign Up").click()

    again = page.get_by_label("Password (again)")
    expect(again).to_have_attribute("aria-invalid", "true")
    expect(again).to_have_accessible_description(re.compile("same password"))
    expect(page.get_by_role("alert")).to_contain_text("same password")
    assert page_problems.all() == []


@pytest.mark.browser
def test_a_member_reaches_every_account_page_and_the_authenticator_setup(page, page_problems, member, sign_in):
    sign_in(member.username, PASSWORD)

    page.locator(".member-menu summary").click()
    page.get_by_role("banner").get_by_role("link", name="Settings").click()
    settings_menu = page.get_by_role("navigation", name="Account settings")
    for name, heading in [
        ("Email addresses", "Email Address"),
        ("Password", "Change Password"),
        ("Two-factor authentication", "Two-Factor Authentication"),
        ("Profile", "Your profile"),
    ]:
        settings_menu.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(settings_menu.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")

    page.goto("/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    qr_code = page.locator("img.qr-code")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("img => img.naturalWidth") > 0, "the QR code did not load"
    assert page_problems.all() == []
