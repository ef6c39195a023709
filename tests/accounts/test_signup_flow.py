"""The account journey a new customer takes, through allauth and our own pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Profile, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/\S+)")


def _link_in_last_email() -> str:
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_sign_up_verify_email_edit_profile_and_log_out(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "carol@example.com",
            "username": "carol",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(username="carol")
    assert Profile.objects.filter(user=user).exists()

    # Verification is mandatory: the new member is not signed in yet.
    assert client.get(reverse("account_settings")).status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["carol@example.com"]

    confirm_url = _link_in_last_email()
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified

    # Confirming signs the member in; they can now edit their profile.
    response = client.post(
        reverse("account_settings"),
        {"display_name": "Carol C.", "bio": "Rides to work.", "location": "Lyon", "website": "https://carol.example"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.location) == ("Carol C.", "Lyon")

    public = client.get(reverse("member_profile", args=["carol"]))
    assert b"Carol C." in public.content
    assert b"Rides to work." in public.content

    client.post(reverse("account_logout"))
    assert client.get(reverse("account_settings")).status_code == 302


def test_a_member_cannot_sign_in_before_verifying_their_email(client):
    client.post(
        reverse("account_signup"),
        {"email": "dan@example.com", "username": "dan", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.logout()
    response = client.post(reverse("account_login"), {"login": "dan", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_sign_up_with_bad_input_shows_errors_and_creates_nothing(client, member):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "username": "x y", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"email", "username", "password1"} <= set(errors)
    assert b"not-an-email" in response.content  # what was typed is kept
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_sign_up_with_a_taken_email_does_not_reveal_the_account_but_tells_its_owner(client, member):
    response = client.post(
        reverse("account_signup"),
        {"email": member.email.upper(), "username": "eve", "password1": PASSWORD, "password2": PASSWORD},
    )
    # Same answer as a fresh sign-up, so nobody can probe who is a member.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not User.objects.filter(username="eve").exists()
    assert mail.outbox[-1].to == [member.email.upper()] or mail.outbox[-1].to == [member.email]


def test_members_sign_in_with_email_or_username(client, member):
    for login in (member.username, member.email):
        response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
        assert response.status_code == 302, login
        assert client.session["_auth_user_id"] == str(member.pk)
        client.logout()


def test_password_reset_by_email(client, member):
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    key_url = _link_in_last_email()
    response = client.get(key_url)
    # allauth moves the key into the session and redirects to the form.
    assert response.status_code == 302
    set_url = response["Location"]
    new_password = "a-brand-new-passphrase-42"
    response = client.post(set_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.check_password(new_password)
    assert not member.check_password(PASSWORD)


def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(client, member):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": member.username, "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": member.username, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in response.content


def test_email_change_sends_a_verification_to_the_new_address(client, member):
    client.force_login(member)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "alice.new@example.com"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["alice.new@example.com"]


def test_the_email_page_with_a_change_pending_carries_no_inline_style(client, member):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=member, email=member.email, defaults={"verified": True, "primary": True})
    EmailAddress.objects.create(user=member, email="new-address@example.com", verified=False, primary=False)
    client.force_login(member)

    html = client.get("/accounts/email/").content.decode()

    assert "new-address@example.com" in html
    assert 'id="pending-email"' in html
    # The Content Security Policy (style-src 'self') refuses inline styles: none, in an attribute or an element.
    assert "style=" not in html
    assert "<style" not in html


def test_the_site_record_follows_the_base_url_after_migrate(settings):
    from django.contrib.sites.models import Site
    from django.core.management import call_command

    settings.RAPPORT_BASE_URL = "https://community.example.org"
    settings.RAPPORT_SITE_NAME = "Example Community"

    call_command("migrate", verbosity=0)

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("community.example.org", "Example Community")


def test_syncing_the_site_record_again_changes_nothing(settings):
    from django.contrib.sites.models import Site

    from accounts.sites import site_sync_from_base_url

    settings.RAPPORT_BASE_URL = "https://community.example.org:8443"
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    site_sync_from_base_url()
    site_sync_from_base_url()

    assert list(Site.objects.values_list("pk", "domain", "name")) == [
        (settings.SITE_ID, "community.example.org:8443", settings.RAPPORT_SITE_NAME)
    ]
