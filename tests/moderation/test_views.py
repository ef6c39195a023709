"""The idea status form of the thread page, answered by moderation at the URL it had in community."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from community.models import IdeaStatusChange, Thread
from tests.factories import ask

pytestmark = pytest.mark.django_db

NOTE = {"status": "planned", "note": "Scheduled for the spring release."}


@pytest.fixture
def idea(member):
    return ask(member, kind="idea", title="Let me export my order history as CSV")


def test_the_status_url_kept_its_path_and_name(idea):
    assert reverse("idea_status", args=[idea.pk]) == f"/threads/{idea.pk}/status/"


def test_staff_set_an_idea_status_and_land_back_on_the_thread(client, staff, idea):
    client.force_login(staff)
    response = client.post(reverse("idea_status", args=[idea.pk]), NOTE)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/t/{idea.pk}/{idea.slug}/#idea-status")
    assert Thread.objects.get(pk=idea.pk).idea_status == "planned"
    assert IdeaStatusChange.objects.get(thread=idea).note == NOTE["note"]


def test_a_member_is_refused_and_the_status_stays(client, other_member, idea):
    client.force_login(other_member)
    response = client.post(reverse("idea_status", args=[idea.pk]), NOTE)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Only staff can change an idea's status."]
    assert Thread.objects.get(pk=idea.pk).idea_status == "new"
    assert not IdeaStatusChange.objects.exists()


def test_a_visitor_is_sent_to_sign_in(client, idea):
    response = client.post(reverse("idea_status", args=[idea.pk]), NOTE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Thread.objects.get(pk=idea.pk).idea_status == "new"


def test_the_thread_page_shows_staff_the_form_posting_to_it(client, staff, idea):
    client.force_login(staff)
    html = client.get(f"/t/{idea.pk}/{idea.slug}/").content.decode()
    assert f'action="/threads/{idea.pk}/status/"' in html
