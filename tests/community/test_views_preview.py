"""The editors' Preview endpoint: the same renderer and sanitiser as a saved post, for members, CSRF-checked."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_member_gets_the_html_a_saved_post_would_have(client, member):
    client.force_login(member)

    response = client.post(reverse("markdown_preview"), {"text": "**Bold**, <kbd>Esc</kbd> and @alice"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith('<p><strong>Bold</strong>, <kbd>Esc</kbd> and <a href="/u/alice/"')


@pytest.mark.parametrize(
    "hostile", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"]
)
def test_the_preview_is_sanitised(client, member, hostile):
    client.force_login(member)

    html = client.post(reverse("markdown_preview"), {"text": hostile}).content.decode()

    assert not re.search(r"<(script|img)\b", html)
    assert "javascript:" not in re.sub(r">[^<]*<", "><", html)  # as text it is harmless; never in an attribute


def test_a_post_without_the_csrf_token_is_refused_and_with_it_accepted(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    refused = client.post(reverse("markdown_preview"), {"text": "**hi**"})
    token_page = client.get(reverse("ask"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', token_page.content.decode())[1]
    allowed = client.post(reverse("markdown_preview"), {"text": "**hi**", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert allowed.content.decode() == "<p><strong>hi</strong></p>\n"


def test_visitors_get_no_preview(client):
    assert client.post(reverse("markdown_preview"), {"text": "**hi**"}).status_code == 403


def test_text_longer_than_a_post_is_refused_and_the_longest_post_is_not(client, member, settings):
    settings.RAPPORT_BODY_MAX_LENGTH = 100
    client.force_login(member)

    refused = client.post(reverse("markdown_preview"), {"text": "a" * 101})
    allowed = client.post(reverse("markdown_preview"), {"text": "a" * 100})

    assert refused.status_code == 413
    assert allowed.status_code == 200


def test_every_editor_page_carries_the_toolbar_template(client, member):
    from tests.factories import SpaceFactory, ask

    thread = ask(member, SpaceFactory())
    client.force_login(member)
    opening = thread.posts.get(kind="opening")
    for url in (reverse("ask"), f"/t/{thread.pk}/{thread.slug}/", reverse("post_edit", args=[opening.pk])):
        html = client.get(url).content.decode()
        assert 'id="markdown-toolbar"' in html, url
        assert "data-markdown" in html, url


def test_visitors_pages_carry_no_toolbar(client, member):
    from tests.factories import SpaceFactory, ask

    thread = ask(member, SpaceFactory())

    assert 'id="markdown-toolbar"' not in client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()


def test_previews_are_limited_per_member_and_minute(client, member, other_member, monkeypatch):
    from community.views import preview

    monkeypatch.setattr(preview, "PREVIEWS_PER_MINUTE", 3)
    # All within one minute, however slowly the machine runs them.
    moment = timezone.now()
    monkeypatch.setattr(preview, "timezone", SimpleNamespace(now=lambda: moment))
    client.force_login(member)
    answers = [client.post(reverse("markdown_preview"), {"text": "**hi**"}).status_code for _ in range(4)]
    client.force_login(other_member)

    assert answers == [200, 200, 200, 429]
    assert client.post(reverse("markdown_preview"), {"text": "**hi**"}).status_code == 200  # another member's own count


def test_the_toolbar_link_button_draws_its_icon_rather_than_relying_on_an_emoji_font(client, member):
    client.force_login(member)
    html = client.get(reverse("ask")).content.decode()

    button = re.search(r'<button type="button" class="md-button" data-md="link".*?</button>', html, re.DOTALL)[0]
    assert "\U0001f517" not in html
    assert '<svg class="md-icon" aria-hidden="true"' in button
    assert '<span class="visually-hidden">Link</span>' in button
