"""Posts rendered once and shared: never another member's token, vote or rights."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from community.models import Vote
from community.views.fragments import CSRF_SLOT
from tests.factories import UserFactory, answer, ask

pytestmark = pytest.mark.django_db


def thread_url(thread) -> str:
    return f"/t/{thread.pk}/{thread.slug}/"


def test_a_second_member_gets_the_shared_posts_with_their_own_token_and_can_vote(member, other_member):
    thread = ask(member, title="How do I reset my wallet password?")
    reply = answer(other_member, thread)
    first = Client(enforce_csrf_checks=True)
    first.force_login(UserFactory())
    first.get(thread_url(thread))  # renders and caches the posts

    second = Client(enforce_csrf_checks=True)
    second.force_login(UserFactory(username="carol"))
    html = second.get(thread_url(thread)).content.decode()

    assert CSRF_SLOT not in html
    token = re.search(rf'action="/p/{reply.pk}/vote/".*?name="csrfmiddlewaretoken" value="([^"]+)"', html, re.S)
    response = second.post(f"/p/{reply.pk}/vote/", {"value": "1", "csrfmiddlewaretoken": token.group(1)})
    assert response.status_code in (200, 302)
    assert Vote.objects.filter(post=reply, voter__username="carol", value=1).exists()


def test_shared_posts_still_show_each_member_their_own_vote_and_edit_link(client, member, other_member):
    thread = ask(member, title="How do I reset my wallet password?")
    reply = answer(other_member, thread)
    voter = UserFactory(username="carol")
    Vote.objects.create(post=reply, voter=voter, value=1, created_at=reply.created_at)

    client.force_login(voter)
    mine = client.get(thread_url(thread)).content.decode()
    client.force_login(UserFactory(username="dave"))
    theirs = client.get(thread_url(thread)).content.decode()
    client.force_login(other_member)
    authors = client.get(thread_url(thread)).content.decode()

    pressed = f'id="vote-{reply.pk}"'
    assert 'aria-pressed="true"' in mine.split(pressed)[1].split("</div>")[0]
    assert 'aria-pressed="true"' not in theirs.split(pressed)[1].split("</div>")[0]
    assert f'href="/p/{reply.pk}/edit/"' in authors
    assert f'href="/p/{reply.pk}/edit/"' not in theirs
