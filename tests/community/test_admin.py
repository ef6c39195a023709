from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Space
from tests.factories import UserFactory, ask

pytestmark = pytest.mark.django_db


def test_staff_create_spaces_and_browse_threads_in_the_admin(client, member):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    ask(member)
    client.force_login(admin)
    for name in ("community_space_changelist", "community_thread_changelist", "community_taginfo_add"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200, name
    response = client.post(
        reverse("admin:community_space_add"),
        {"name": "Billing", "slug": "billing", "description": "", "position": 3, "visibility": "members",
         "default_kind": "question"},
    )  # fmt: skip
    assert response.status_code == 302
    assert Space.objects.get(slug="billing").visibility == "members"
    # Threads are written through the site, never added from the admin.
    assert client.get(reverse("admin:community_thread_add")).status_code == 403


def test_members_do_not_reach_the_admin(client, member):
    client.force_login(member)
    assert client.get(reverse("admin:community_space_changelist")).status_code == 302
