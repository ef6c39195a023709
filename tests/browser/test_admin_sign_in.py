"""Staff reach the admin through the site's sign-in and its second factor, end to end in a real browser."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from tests.accounts.totp import totp_code
from tests.factories import PASSWORD


@pytest.mark.browser
def test_staff_open_the_admin_sign_in_with_their_password_then_their_code(page, page_problems, staff, settings):
    settings.RAPPORT_STAFF_REQUIRE_MFA = True
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)

    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()
    page.get_by_label("Username or email").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    assert page_problems.all() == []
