from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Profile
from community.models import Notification
from community.services.notifications import notify_post_published, unsubscribe_token
from tests.factories import answer, ask

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
