from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Follow, Visibility
from tests.factories import SpaceFactory, ask

pytestmark = pytest.mark.django_db


def test_following_and_unfollowing_a_thread_with_htmx_and_plain_posts(client, member, other_member):
    thread = ask(member)
    url = reverse("thread_follow", args=[thread.pk])
    client.force_login(other_member)
    response = client.post(url, {"on": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content
    assert Follow.objects.filter(member=other_member, thread=thread).exists()

    page = client.get(reverse("thread_detail", args=[thread.pk, thread.slug])).content.decode()
    assert "Following" in page

    response = client.post(url, {"on": "0"})
    assert response.status_code == 302
    assert not Follow.objects.filter(member=other_member, thread=thread).exists()


def test_visitors_are_asked_to_sign_in_and_nothing_is_followed(client, member):
    thread = ask(member)
    response = client.post(reverse("thread_follow", args=[thread.pk]), {"on": "1"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert Follow.objects.filter(thread=thread).count() == 1  # only the asker's own follow


def test_a_bad_follow_value_is_refused_with_a_message(client, member, other_member):
    thread = ask(member)
    client.force_login(other_member)
    response = client.post(reverse("thread_follow", args=[thread.pk]), {"on": "maybe"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert not Follow.objects.filter(member=other_member).exists()


def test_spaces_and_tags_can_be_followed_but_not_private_or_unknown_ones(client, member, other_member):
    space = SpaceFactory()
    ask(member, space, tags=["billing"])
    client.force_login(other_member)
    assert client.post(reverse("space_follow", args=[space.slug]), {"on": "1"}).status_code == 302
    assert client.post(reverse("tag_follow", args=["billing"]), {"on": "1"}).status_code == 302
    assert Follow.objects.filter(member=other_member).count() == 2
    assert b"Following" in client.get(reverse("space_detail", args=[space.slug])).content

    staff_space = SpaceFactory(visibility=Visibility.STAFF)
    assert client.post(reverse("space_follow", args=[staff_space.slug]), {"on": "1"}).status_code == 404
    assert client.post(reverse("tag_follow", args=["no-such-tag"]), {"on": "1"}).status_code == 404
    assert Follow.objects.filter(member=other_member).count() == 2
