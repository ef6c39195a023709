"""The thread page's outline: headings a post's writer adds sit under a heading of the page, never skip a level."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import answer, ask

pytestmark = pytest.mark.django_db

BODY = "# Setup\n\nTwo relays and a producer.\n\n## Logs\n\nNothing unusual."


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


@pytest.mark.parametrize("kind", ["question", "discussion", "idea", "article"])
def test_headings_in_the_opening_post_follow_a_heading_of_the_page(client, member, other_member, kind):
    thread = ask(member, kind=kind, title="Stake pool fails to start its subscriptions", body=BODY)
    replies = kind in {"question", "discussion"}
    if replies:
        answer(other_member, thread, body=BODY)

    levels = heading_levels(client.get(reverse("thread_short", args=[thread.pk]), follow=True).content.decode())

    # Rendering makes a post's "#" an <h3>: the page must give it an <h2> to sit under.
    assert levels[0] == 1
    assert levels.count(4) == (2 if replies else 1)  # the posts' own headings are there, "##" as <h4>
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False)), levels
