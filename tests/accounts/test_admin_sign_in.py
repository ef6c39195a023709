"""The admin signs in through the site's sign-in: the second factor and the rate limits hold on every way in."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import override_settings
from django.urls import URLResolver, get_resolver, reverse

from tests.accounts.totp import totp_code
from tests.factories import PASSWORD, SpaceFactory

pytestmark = pytest.mark.django_db

STAFF_ONLY_SPACE = "/s/backroom/"


@pytest.fixture
def staff_with_totp(staff):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    SpaceFactory(slug="backroom", visibility="staff")
    staff.totp_secret = secret
    return staff


def _login_addresses() -> list[str]:
    """Every address of the site whose pattern is a sign-in (login, signin), in any app."""

    def walk(resolver: URLResolver, prefix: str) -> list[str]:
        found = []
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                found += walk(entry, route)
            elif not entry.pattern.regex.groupindex and ("login" in route or "signin" in route):
                found.append("/" + route.lstrip("^").rstrip("$"))
        return found

    return sorted(set(walk(get_resolver(), "")))


def _reaches_staff_pages(client) -> bool:
    return client.get("/admin/").status_code == 200 or client.get(STAFF_ONLY_SPACE).status_code == 200


def test_the_walk_finds_the_admin_and_the_site_sign_in():
    assert {"/admin/login/", "/accounts/login/"} <= set(_login_addresses())


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_a_password_alone_through_any_login_address_never_reaches_staff_pages(client, staff_with_totp):
    for address in _login_addresses():
        credentials = {"login": staff_with_totp.username, "username": staff_with_totp.username, "password": PASSWORD}
        client.post(address, credentials)
        client.post(address, credentials, follow=True)
        assert not _reaches_staff_pages(client), address
        assert "_auth_user_id" not in client.session, address


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_the_admin_sends_staff_to_the_sign_in_which_asks_for_the_second_factor(client, staff_with_totp):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"

    response = client.post(response["Location"], {"login": staff_with_totp.username, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert not _reaches_staff_pages(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(STAFF_ONLY_SPACE).status_code == 200


def test_a_password_posted_to_the_admins_own_form_signs_nobody_in(client, staff):
    response = client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_signed_in_staff_member_cannot_switch_accounts_through_the_admins_form(client, staff, other_member):
    other_member.is_staff = True
    other_member.save(update_fields=["is_staff"])
    client.force_login(staff)
    response = client.post("/admin/login/", {"username": other_member.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_signed_in_members_who_are_not_staff_are_refused_the_admin_sign_in(client, member):
    client.force_login(member)
    assert client.get("/admin/login/").status_code == 403


def test_many_wrong_passwords_through_the_admin_then_the_right_one_stay_out(client, staff):
    sign_in = client.get("/admin/login/?next=/admin/")["Location"]
    for _ in range(25):
        client.post("/admin/login/?next=/admin/", {"username": staff.username, "password": "wrong-password"})
        client.post(sign_in, {"login": staff.username, "password": "wrong-password"})
    response = client.post(sign_in, {"login": staff.username, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_right_password_through_the_admins_sign_in_lets_staff_in(client, staff):
    sign_in = client.get("/admin/login/?next=/admin/")["Location"]
    response = client.post(sign_in, {"login": staff.username, "password": PASSWORD})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_a_staff_session_that_skipped_the_second_factor_must_pass_it_before_anything(client, staff_with_totp):
    # A session signed in another way than allauth's sign-in: the password alone.
    client.force_login(staff_with_totp)
    for address in ("/", "/admin/", STAFF_ONLY_SPACE, reverse("mfa_index"), reverse("mfa_deactivate_totp")):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("mfa_reauthenticate")), address
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert staff_with_totp.authenticator_set.filter(type="totp").exists()

    assert client.get(reverse("mfa_reauthenticate")).status_code == 200
    response = client.post(
        f"{reverse('mfa_reauthenticate')}?next=/admin/", {"code": totp_code(staff_with_totp.totp_secret)}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(STAFF_ONLY_SPACE).status_code == 200


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_a_wrong_code_does_not_let_a_staff_session_through(client, staff_with_totp):
    client.force_login(staff_with_totp)
    client.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert client.get("/admin/").status_code == 302


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=True)
def test_staff_who_just_set_up_their_authenticator_go_on_without_a_second_code(client, transactional_db, staff):
    # A real commit: allauth says an authenticator was added only once it is committed, within the request.
    client.post(reverse("account_login"), {"login": staff.username, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert staff.authenticator_set.filter(type="totp").exists()
    assert client.get("/admin/").status_code == 200


@override_settings(RAPPORT_STAFF_REQUIRE_MFA=False)
def test_without_the_setting_a_staff_session_is_not_asked_for_a_code(client, staff_with_totp):
    client.force_login(staff_with_totp)
    assert client.get("/admin/").status_code == 200
