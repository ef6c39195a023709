from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import Visibility
from community.selectors.lists import tags_suggest
from tests.factories import SpaceFactory, ask

pytestmark = pytest.mark.django_db


def test_suggestions_complete_the_last_tag_most_used_first(client, member):
    space = SpaceFactory()
    for i in range(3):
        ask(member, space, title=f"Syncing question number {i} here", tags=["sync"])
    ask(member, space, title="Synthetic question about tokens", tags=["synthetic", "wallet"])
    assert tags_suggest(user=member, prefix="syn") == ["sync", "synthetic"]

    client.force_login(member)
    response = client.get(reverse("tags_suggest"), {"tags": "wallet, Syn"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="wallet, sync">' in html
    assert html.index("wallet, sync") < html.index("wallet, synthetic")


def test_tags_used_only_in_private_spaces_are_not_suggested_to_those_who_cannot_see_them(member, staff):
    ask(
        staff,
        SpaceFactory(visibility=Visibility.STAFF),
        title="Internal refund escalation rules",
        tags=["refund-internal"],
    )
    assert tags_suggest(user=member, prefix="refund") == []
    assert tags_suggest(user=staff, prefix="refund") == ["refund-internal"]


def test_an_empty_prefix_suggests_nothing(client, member):
    assert tags_suggest(user=member, prefix="  ") == []
    assert client.get(reverse("tags_suggest"), {"tags": "wallet, "}).content.strip() == b""


def test_a_tag_page_shows_its_description_and_followers(client, member, other_member):
    from taggit.models import Tag

    from community.models import TagInfo
    from community.services.notifications import follow_set

    ask(member, SpaceFactory(), tags=["billing"])
    tag = Tag.objects.get(name="billing")
    TagInfo.objects.create(tag=tag, description="Invoices, refunds and payment methods.")
    follow_set(member=other_member, tag=tag, on=True)
    follow_set(member=member, tag=tag, on=True)
    html = client.get(reverse("tag_detail", args=["billing"])).content.decode()
    assert "Invoices, refunds and payment methods." in html
    assert "2 followers" in html
