from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from community.models import Notification, Thread, Visibility
from community.services.notifications import follow_set, notify_post_published, unsubscribe_token
from community.services.spaces import space_save
from moderation.services.threads import thread_delete
from tests.factories import SpaceFactory, answer, ask

pytestmark = pytest.mark.django_db


def _notify(asker, answerer, n=1):
    for i in range(n):
        thread = ask(asker, title=f"Question number {i} about delivery times")
        notify_post_published(post_id=answer(answerer, thread).pk)


def test_the_bell_shows_the_unread_count_and_the_inbox_lists_notifications(client, member, other_member):
    _notify(member, other_member, n=2)
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert 'class="bell-count" aria-hidden="true">2<' in page
    inbox = client.get(reverse("notification_list"))
    assert inbox.status_code == 200
    assert inbox.content.decode().count("Question number") == 2


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(client, member, other_member):
    _notify(member, other_member)
    notification = Notification.objects.get()
    client.force_login(member)
    response = client.get(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{notification.post_id}")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_someone_elses_notification(client, member, other_member):
    _notify(member, other_member)
    client.force_login(other_member)
    assert client.get(reverse("notification_open", args=[Notification.objects.get().pk])).status_code == 404
    assert Notification.objects.get().read_at is None


def test_mark_all_read(client, member, other_member):
    _notify(member, other_member, n=3)
    client.force_login(member)
    assert client.post(reverse("notifications_read_all")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_inbox_and_settings_need_sign_in(client):
    for name in ("notification_list", "notification_settings"):
        assert client.get(reverse(name)).status_code == 302


def test_email_preferences_are_saved_and_bad_values_refused(client, member):
    client.force_login(member)
    assert client.post(reverse("notification_settings"), {"email_frequency": "weekly"}).status_code == 302
    assert Profile.objects.get(user=member).email_frequency == "weekly"
    response = client.post(reverse("notification_settings"), {"email_frequency": "hourly"})
    assert response.status_code == 200
    assert "email_frequency" in response.context["form"].errors
    assert Profile.objects.get(user=member).email_frequency == "weekly"


def test_one_click_unsubscribe_works_without_signing_in_or_csrf(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("notifications_unsubscribe", args=[unsubscribe_token(member)])
    assert b"Unsubscribe" in client.get(url).content
    assert Profile.objects.get(user=member).email_frequency == "instant"  # a GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Profile.objects.get(user=member).email_frequency == "off"


def test_a_forged_unsubscribe_link_is_404(client, member):
    token = unsubscribe_token(member)[:-3] + "abc"
    assert client.post(reverse("notifications_unsubscribe", args=[token])).status_code == 404
    assert Profile.objects.get(user=member).email_frequency == "instant"


@pytest.mark.parametrize("count", [1, 50])
def test_inbox_query_count_does_not_grow(client, member, other_member, count, django_assert_max_num_queries):
    _notify(member, other_member, n=count)
    client.force_login(member)
    with django_assert_max_num_queries(6):
        client.get(reverse("notification_list"))


# --- What the reader may see now ------------------------------------------------------


def _bell(client) -> str:
    page = client.get(reverse("home")).content.decode()
    found = re.search(r'class="bell-count" aria-hidden="true">(\d+)<', page)
    return found.group(1) if found else "0"


@pytest.fixture
def watched(member, other_member, staff):
    """A thread alice asked, sam (staff) follows and bob answered: both were notified."""
    thread = ask(member, title="Question about the new delivery zones")
    follow_set(member=staff, on=True, thread=thread)
    notify_post_published(post_id=answer(other_member, thread).pk)
    assert Notification.objects.filter(recipient__in=[member, staff]).count() == 2
    return thread


def _restrict(space, visibility) -> None:
    space.visibility = visibility
    space_save(space=space)


def _what_they_see(client, user, thread) -> tuple[bool, str, int]:
    """Whether `user`'s inbox names the thread, their bell's count, and what opening their notification answers."""
    client.force_login(user)
    listed = thread.title in client.get(reverse("notification_list")).content.decode()
    bell = _bell(client)
    notification = Notification.objects.get(recipient=user, thread=thread)
    return listed, bell, client.get(reverse("notification_open", args=[notification.pk])).status_code


def test_a_space_made_staff_only_takes_its_notifications_out_of_a_members_inbox_bell_and_links(client, member, watched):
    assert _what_they_see(client, member, watched)[:2] == (True, "1")
    Notification.objects.update(read_at=None)

    _restrict(watched.space, Visibility.STAFF)

    assert _what_they_see(client, member, watched) == (False, "0", 404)


def test_staff_who_may_still_see_a_space_made_staff_only_keep_its_notifications(client, staff, watched):
    _restrict(watched.space, Visibility.STAFF)

    assert _what_they_see(client, staff, watched) == (True, "1", 302)


def test_a_member_who_may_still_see_a_space_made_members_only_keeps_its_notifications(client, member, watched):
    _restrict(watched.space, Visibility.MEMBERS)

    assert _what_they_see(client, member, watched) == (True, "1", 302)


def test_a_deleted_thread_takes_its_notifications_out_of_members_inboxes_but_not_staffs(client, member, staff, watched):
    thread_delete(thread=watched, actor=staff)

    assert _what_they_see(client, member, watched) == (False, "0", 404)
    assert _what_they_see(client, staff, watched) == (True, "1", 302)


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("notification_list")).status_code == 200
    return len(captured.captured_queries)


def test_the_filtered_inbox_costs_the_same_queries_for_one_notification_and_fifty(client, member, other_member):
    hidden = SpaceFactory(visibility=Visibility.STAFF)
    _notify(member, other_member, n=1)
    client.force_login(member)
    one = _inbox_queries(client)

    _notify(member, other_member, n=49)
    for i in range(5):  # written while the member could see them; their space is staff-only since
        thread = ask(member, title=f"Hidden question {i} about delivery")
        notify_post_published(post_id=answer(other_member, thread).pk)
        Thread.objects.filter(pk=thread.pk).update(space=hidden)
    fifty = _inbox_queries(client)

    assert fifty == one
    html = client.get(reverse("notification_list")).content.decode()
    assert html.count("Question number") == 50
    assert "Hidden question" not in html


def _notification_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        _bell(client)
    return [q["sql"] for q in captured.captured_queries if "community_notification" in q["sql"]]


def test_the_bell_count_comes_from_the_cache_until_a_notification_comes_or_is_read(client, member, other_member):
    thread = ask(member, title="Question about delivery times")
    notify_post_published(post_id=answer(other_member, thread).pk)
    client.force_login(member)
    assert _bell(client) == "1"
    assert _notification_queries(client) == []

    # In the same thread and space: only the notification itself says the count changed.
    notify_post_published(post_id=answer(other_member, thread).pk)
    assert _bell(client) == "2"

    client.post(reverse("notifications_read_all"))
    assert _bell(client) == "0"


def test_another_members_notifications_leave_a_members_cached_count_alone(client, member, other_member):
    _notify(member, other_member)
    client.force_login(member)
    assert _bell(client) == "1"

    _notify(other_member, member)

    assert _bell(client) == "1"
    assert _notification_queries(client) == []


def test_a_thread_deleted_after_the_count_was_cached_leaves_the_bell_at_once(client, member, staff, watched):
    client.force_login(member)
    assert _bell(client) == "1"

    thread_delete(thread=watched, actor=staff)

    assert _bell(client) == "0"
