"""Moderation's admin for threads: soft deletes, restores, locks, unlocks and reopenings through moderation's services."""

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


# --- Lock, unlock, reopen: actions through the services, never dates typed in ------------------

CHANGELIST = "admin:community_thread_changelist"


@pytest.fixture
def staff_in_admin(client, staff):
    """The staff persona with the threads' admin (its view and change permissions), signed in."""
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_thread", "change_thread"]))
    client.force_login(staff)
    return staff


def run_action(client, action: str, *threads) -> str:
    """Run an admin action on these threads; the message it shows."""
    response = client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [t.pk for t in threads]}, follow=True
    )
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


def test_staff_lock_and_unlock_threads_with_admin_actions_that_say_how_many_changed(client, member, staff_in_admin):
    from moderation.services.threads import thread_lock

    already, other = ask(member), ask(member, title="Why does my balance show zero after syncing?")
    thread_lock(thread=already, actor=staff_in_admin)

    assert run_action(client, "lock_threads", already, other) == "1 thread locked."
    for thread in (already, other):
        thread.refresh_from_db()
        assert thread.locked_at is not None
    assert run_action(client, "lock_threads", already, other) == "0 threads locked."

    assert run_action(client, "unlock_threads", already, other) == "2 threads unlocked."
    for thread in (already, other):
        thread.refresh_from_db()
        assert thread.locked_at is None
    assert run_action(client, "unlock_threads", already, other) == "0 threads unlocked."


def test_staff_reopen_a_duplicate_in_the_admin_and_the_count_of_duplicates_follows(client, member, staff_in_admin):
    from moderation.services.threads import thread_close_as_duplicate

    canonical = ask(member)
    copy = ask(member, title="How can I reset the password of my wallet?")
    still_open = ask(member, title="Why does my balance show zero after syncing?")
    thread_close_as_duplicate(thread=copy, canonical=canonical, actor=staff_in_admin)
    canonical.refresh_from_db()
    assert canonical.duplicate_count == 1

    assert run_action(client, "reopen_threads", copy, still_open) == "1 thread reopened."
    copy.refresh_from_db()
    canonical.refresh_from_db()
    assert (copy.closed_at, copy.duplicate_of_id, copy.close_reason) == (None, None, "")
    assert canonical.duplicate_count == 0  # the service's bookkeeping, which editing the date skipped
    assert run_action(client, "reopen_threads", copy, still_open) == "0 threads reopened."
    canonical.refresh_from_db()
    assert canonical.duplicate_count == 0


def test_the_lock_and_close_dates_are_shown_but_not_edited_in_the_admin(client, member, staff_in_admin):
    thread = ask(member)
    change = reverse("admin:community_thread_change", args=[thread.pk])
    page = client.get(change)
    assert page.status_code == 200
    for name in ("locked_at", "closed_at", "close_reason"):
        assert name not in page.context["adminform"].form.fields, name

    response = client.post(
        change,
        {
            "space": thread.space_id,
            "is_featured": "on",
            "locked_at_0": "2026-01-02",
            "locked_at_1": "10:00:00",
            "closed_at_0": "2026-01-02",
            "closed_at_1": "10:00:00",
            "close_reason": "duplicate",
        },
    )
    assert response.status_code == 302  # saved: what may be edited was
    thread.refresh_from_db()
    assert thread.is_featured is True
    assert (thread.locked_at, thread.closed_at, thread.close_reason) == (None, None, "")
    # Closing needs the thread it duplicates, chosen on the site's page: no action here.
    actions = {
        choice for choice, _label in client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices
    }
    assert {"lock_threads", "unlock_threads", "reopen_threads"} <= actions
    assert not {action for action in actions if "close" in action}


def test_members_cannot_reach_the_threads_admin_or_its_actions(client, member, other_member):
    thread = ask(member)
    client.force_login(other_member)
    assert client.get(reverse(CHANGELIST)).status_code == 302  # to sign in
    response = client.post(reverse(CHANGELIST), {"action": "lock_threads", "_selected_action": [thread.pk]})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.locked_at is None
