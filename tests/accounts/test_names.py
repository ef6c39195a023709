"""Names members choose: no look-alike of another member's username, no name reserved for the team."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Profile, User
from accounts.names import name_skeleton, username_check
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_up(client, username: str):
    return client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def _save_display_name(client, display_name: str):
    return client.post(reverse("account_settings"), {"display_name": display_name, "bio": "", "location": ""})


@pytest.mark.parametrize(
    ("name", "look_alike"),
    [
        ("admin", "\u0430dmin"),  # Cyrillic а
        ("paypal", "\u0440\u0430\u0443\u0440\u0430l"),  # all Cyrillic but the l
        ("john", "j0hn"),
        ("john", "\uff4a\uff4f\uff48\uff4e"),  # full-width
        ("john", "jo\u200bhn"),  # a zero-width space
        ("modern", "rnodern"),
        ("alice", "ALlCE"),
        ("bill", "biII"),
    ],
)
def test_look_alikes_share_a_skeleton(name, look_alike):
    assert name_skeleton(look_alike) == name_skeleton(name)


@pytest.mark.parametrize(("name", "other"), [("alice", "alicia"), ("zoe", "zo\u00eb"), ("bob", "rob"), ("ann", "anna")])
def test_different_names_keep_different_skeletons(name, other):
    assert name_skeleton(other) != name_skeleton(name)


def test_a_username_that_looks_like_a_members_is_refused_at_sign_up(client, member):
    response = _sign_up(client, "\u0430lice")  # "alice" with a Cyrillic а

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "This username looks too much like another member's. Please choose another."
    ]
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_username_unlike_any_members_is_accepted_at_sign_up(client, member):
    response = _sign_up(client, "carol")

    assert response.status_code == 302
    assert User.objects.get(username="carol").username_skeleton == name_skeleton("carol")


@pytest.mark.parametrize("username", ["admin", "\u0430dmin", "Ad_Min", "support", "root", "Rapport", "rapport-team"])
def test_reserved_usernames_are_refused_at_sign_up(client, username):
    response = _sign_up(client, username)

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["This username is reserved. Please choose another."]
    assert not User.objects.exists()


def test_the_brands_name_from_the_settings_is_reserved(client, settings):
    settings.RAPPORT_SITE_NAME = "Acme Bikes"
    assert "username" in _sign_up(client, "acme_bikes").context["form"].errors
    assert "username" in _sign_up(client, "acmebikes-support").context["form"].errors
    assert _sign_up(client, "rapport").status_code == 302


def test_the_look_alike_check_is_one_query(member, django_assert_num_queries):
    with django_assert_num_queries(1), pytest.raises(ValidationError):
        username_check(username="ALICE")
    with django_assert_num_queries(1):
        username_check(username="alicia")


def test_a_member_keeps_their_own_username_and_staff_may_take_a_reserved_one(member, staff):
    username_check(username="alice", user=member)
    username_check(username="support", user=staff)
    with pytest.raises(ValidationError):
        username_check(username="support", user=member)


def test_renaming_a_member_updates_the_skeleton(member):
    member.username = "\u0430dmin-alice"
    member.save(update_fields=["username"])
    member.refresh_from_db()
    assert member.username_skeleton == name_skeleton("admin-alice")


@pytest.mark.parametrize("display_name", ["admin", "\u0410dmin", "Moderator", "Rapport Support", "Official Rapport"])
def test_a_member_cannot_take_a_display_name_reserved_for_the_team(client, member, display_name):
    client.force_login(member)

    response = _save_display_name(client, display_name)

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"] == [
        "This name is reserved for the community team. Please choose another."
    ]
    assert Profile.objects.get(user=member).display_name == ""


def test_a_member_may_take_an_ordinary_display_name(client, member):
    client.force_login(member)

    assert _save_display_name(client, "Alice A.").status_code == 302
    assert Profile.objects.get(user=member).display_name == "Alice A."


def test_a_staff_member_may_be_called_support(client, staff):
    client.force_login(staff)

    assert _save_display_name(client, "Support").status_code == 302
    assert Profile.objects.get(user=staff).display_name == "Support"


def test_a_display_name_from_before_the_rules_does_not_block_other_edits(client, member):
    Profile.objects.filter(user=member).update(display_name="Admin")
    client.force_login(member)

    response = client.post(reverse("account_settings"), {"display_name": "Admin", "bio": "Rides to work."})

    assert response.status_code == 302
    assert Profile.objects.get(user=member).bio == "Rides to work."


def test_the_profile_service_refuses_a_reserved_display_name_too(member):
    from accounts.services import profile_update

    with pytest.raises(ValidationError) as refused:
        profile_update(user=member, display_name="Staff", bio="", location="", website="")
    assert list(refused.value.message_dict) == ["display_name"]


def test_the_migration_fills_the_skeleton_of_members_written_without_one(member, other_member):
    # Writers of many rows at once (an import) may leave it empty; the migration computed everyone's.
    User.objects.update(username_skeleton="")
    migration = importlib.import_module("accounts.migrations.0006_user_username_skeleton")

    migration.fill(apps, None)

    assert dict(User.objects.values_list("username", "username_skeleton")) == {"alice": "allce", "bob": "bob"}


def test_imported_members_have_a_skeleton_so_no_one_can_sign_up_looking_like_them(tmp_path, client):
    from tests.community.test_import_stackexchange import USERS, question, run_import, write_dump

    run_import(write_dump(tmp_path / "bikes.example", Users=USERS, Posts=[question(1)]))
    assert User.objects.get(username="ada-lovelace").username_skeleton == name_skeleton("ada-lovelace")

    assert "username" in _sign_up(client, "\u0430da-lovelace").context["form"].errors
    assert _sign_up(client, "ada-byron").status_code == 302


def test_staff_cannot_create_or_rename_a_member_to_a_look_alike_in_the_admin(client, staff, member, other_member):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    add = reverse("admin:accounts_user_add")
    passwords = {"usable_password": "false", "profile-TOTAL_FORMS": "0", "profile-INITIAL_FORMS": "0"}

    response = client.post(add, {"username": "\u0430lice", **passwords})
    assert response.status_code == 200
    assert "looks too much like another member" in response.content.decode()
    assert client.post(add, {"username": "support", **passwords}).status_code == 302
    assert User.objects.filter(username="support").exists()

    change = reverse("admin:accounts_user_change", args=[other_member.pk])
    form = {"username": "b0b", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00", "profile-TOTAL_FORMS": "1",
            "profile-INITIAL_FORMS": "0", "profile-0-email_frequency": "instant"}  # fmt: skip
    # Their own name, spelt so it looks the same: it is no one else's.
    assert client.post(change, form).status_code == 302
    assert "looks too much like another member" in client.post(change, {**form, "username": "ALlCE"}).content.decode()


def test_a_name_made_up_for_a_social_sign_up_is_no_look_alike(member):
    from allauth.account.adapter import get_adapter

    made_up = get_adapter().generate_unique_username(["al1ce"])

    assert name_skeleton(made_up) != name_skeleton("alice")
    assert made_up.startswith("al1ce")
    assert get_adapter().generate_unique_username(["carol"]) == "carol"
