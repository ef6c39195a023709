"""Moderation's admin for threads: soft deletes and restores through moderation's services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory, ask

pytestmark = pytest.mark.django_db


def test_staff_delete_threads_softly_in_the_admin_and_restore_them(client, member):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    thread = ask(member)
    client.force_login(admin)
    changelist = reverse("admin:community_thread_changelist")
    # Rows are never removed here: that would take the posts and their history with them.
    assert client.get(reverse("admin:community_thread_delete", args=[thread.pk])).status_code == 403

    response = client.post(changelist, {"action": "delete_threads", "_selected_action": [thread.pk]}, follow=True)
    assert "1 thread deleted." in response.content.decode()
    thread.refresh_from_db()
    assert thread.deleted_at is not None
    assert thread.title in client.get(changelist, {"deleted": "yes"}).content.decode()
    assert thread.title not in client.get(changelist, {"deleted": "no"}).content.decode()

    client.post(changelist, {"action": "restore_threads", "_selected_action": [thread.pk]})
    thread.refresh_from_db()
    assert thread.deleted_at is None
