from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import override_settings
from django.urls import reverse

from config.settings import base
from tests.accounts.totp import totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff):
    client.post(reverse("account_login"), {"login": staff.username, "password": PASSWORD})
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The setup pages stay reachable: allauth asks for the password again, then shows the QR code.
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b"otpauth://" in response.content or b"data:image/svg" in response.content


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_staff_who_signed_in_with_their_code_and_ordinary_members_are_not_redirected(client, staff, member):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.post(reverse("account_login"), {"login": staff.username, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("home")).status_code == 200
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=False)
def test_staff_mfa_is_optional_when_the_setting_is_off(client, staff):
    client.force_login(staff)
    assert client.get(reverse("home")).status_code == 200


def test_no_social_provider_is_offered_without_configuration(client):
    response = client.get(reverse("account_login"))
    for name in (b"GitHub", b"Google", b"Facebook"):
        assert name not in response.content


def test_social_providers_switch_on_from_the_environment(monkeypatch):
    monkeypatch.setenv("SOCIAL_GITHUB_CLIENT_ID", "gh-id")
    monkeypatch.setenv("SOCIAL_GITHUB_SECRET", "gh-secret")
    monkeypatch.setenv("SOCIAL_GOOGLE_CLIENT_ID", "g-id")
    monkeypatch.setenv("SOCIAL_GOOGLE_SECRET", "g-secret")
    providers = base._social_providers()
    assert set(providers) == {"github", "google"}
    assert providers["github"]["APPS"][0]["client_id"] == "gh-id"


GITHUB = {"github": {"APPS": [{"client_id": "gh-id", "secret": "gh-secret", "key": ""}]}}


@override_settings(SOCIALACCOUNT_PROVIDERS=GITHUB)
def test_a_configured_provider_is_offered_and_redirects_to_the_provider(client):
    response = client.get(reverse("account_login"))
    assert b"GitHub" in response.content
    response = client.post(reverse("github_login"))
    assert response.status_code == 302
    assert response["Location"].startswith("https://github.com/login/oauth/authorize")
    assert "client_id=gh-id" in response["Location"]
