"""What every page offers to find one's way: the sections in the header, a meta description, the home
sidebar's real numbers, and words that fit each kind of thread."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse

from community.models import Visibility
from tests.factories import SpaceFactory, answer, ask

pytestmark = pytest.mark.django_db

SECTION_LINKS = {
    "Threads": "/threads/",
    "Unanswered": "/threads/?sort=unanswered",
    "Spaces": "/spaces/",
    "Tags": "/tags/",
    "Ask": "/ask/",
}


def section_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="section-nav" aria-label="Sections">(.*?)</nav>', html, re.S)
    assert nav, "no sections row"
    return {
        unescape(text): unescape(href) for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', nav[1])
    }


def meta_descriptions(html: str) -> list[str]:
    return [unescape(d) for d in re.findall(r'<meta name="description" content="([^"]*)">', html)]


@pytest.fixture
def wallets(member):
    space = SpaceFactory(name="Wallets", slug="wallets")
    question = ask(member, space, title="How do I reset my wallet password?", tags=["wallet"])
    return space, question


def test_the_sections_are_in_the_header_of_every_page(client, member, wallets):
    _space, question = wallets
    pages = [
        "/",
        "/threads/",
        "/questions/",
        "/s/wallets/",
        "/spaces/",
        "/tags/",
        "/tags/wallet/",
        f"/t/{question.pk}/{question.slug}/",
        "/search/?q=wallet",
        f"/u/{member.username}/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert section_links(response.content.decode()) == SECTION_LINKS, url
    client.force_login(member)
    for url in ["/ask/", "/", f"/t/{question.pk}/{question.slug}/"]:
        assert section_links(client.get(url).content.decode()) == SECTION_LINKS, url


def test_the_current_section_is_marked(client, wallets):
    html = client.get("/threads/?sort=unanswered").content.decode()
    assert re.search(r'href="/threads/\?sort=unanswered" aria-current="page">Unanswered<', html)
    assert not re.search(r'href="/threads/" aria-current="page">Threads<', html)


def test_every_indexable_page_has_one_non_empty_meta_description(client, member, wallets):
    _space, question = wallets
    idea = ask(member, SpaceFactory(slug="ideas"), title="Let me name my wallets please", kind="idea")
    for url in [
        "/",
        "/threads/",
        "/questions/",
        "/ideas/",
        "/s/wallets/",
        "/spaces/",
        "/tags/",
        "/tags/wallet/",
        f"/t/{question.pk}/{question.slug}/",
        f"/t/{idea.pk}/{idea.slug}/",
        f"/u/{member.username}/",
    ]:
        descriptions = meta_descriptions(client.get(url).content.decode())
        assert len(descriptions) == 1, url
        assert descriptions[0].strip(), url


# --- The home sidebar ---------------------------------------------------------------------------


def test_the_home_sidebar_shows_tags_spaces_and_unanswered_threads_with_their_numbers(
    client, member, other_member, staff
):
    wallets = SpaceFactory(name="Wallets", slug="wallets")
    ask(member, wallets, title="How do I reset my wallet password?", tags=["wallet", "password"])
    answered = ask(member, wallets, title="Where is the recovery phrase kept?", tags=["wallet"])
    answer(other_member, answered)
    ask(staff, SpaceFactory(name="Hidden", slug="hidden", visibility=Visibility.STAFF), title="Staff only thread here")

    html = client.get("/").content.decode()

    assert '<a href="/threads/?sort=unanswered">1 thread has no answer yet</a>' in html
    assert re.search(r'<a class="tag" href="/tags/wallet/">wallet</a> <span class="muted">2 threads</span>', html)
    assert re.search(r'<a href="/s/wallets/">Wallets</a> <span class="muted">2 threads</span>', html)
    assert "How it works" not in html
    # A space the reader may not see is neither listed nor counted.
    assert "/s/hidden/" not in html


def test_staff_see_their_spaces_in_the_sidebar_too(client, member, staff):
    ask(staff, SpaceFactory(name="Hidden", slug="hidden", visibility=Visibility.STAFF), title="Staff only thread here")
    client.force_login(staff)

    html = client.get("/").content.decode()

    assert re.search(r'<a href="/s/hidden/">Hidden</a> <span class="muted">1 thread</span>', html)
    assert "1 thread has no answer yet" in html


def _home_queries(client, django_assert_max_num_queries, limit: int) -> None:
    cache.clear()
    with django_assert_max_num_queries(limit):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_home_page_queries_stay_constant_as_spaces_and_tags_grow(
    client, member, signed_in, django_assert_max_num_queries
):
    if signed_in:
        client.force_login(member)
    ask(member, SpaceFactory(), title="How do I reset my wallet password?", tags=["wallet"])
    limit = 8 if signed_in else 5
    _home_queries(client, django_assert_max_num_queries, limit)

    for n in range(12):
        ask(member, SpaceFactory(), title=f"Another question about topic {n}", tags=[f"topic-{n}", "wallet"])

    _home_queries(client, django_assert_max_num_queries, limit)


# --- Wording per kind of thread -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "byline", "sign_in", "not_said"),
    [
        ("question", "Asked by", "Sign in to answer", "Sign in to reply"),
        ("discussion", "Started by", "Sign in to reply", "Asked by"),
        ("idea", "Suggested by", "Sign in to reply", "Asked by"),
    ],
)
def test_a_thread_page_speaks_of_its_kind(client, member, kind, byline, sign_in, not_said):
    thread = ask(member, SpaceFactory(), title="Let me name each of my wallets", kind=kind)

    html = client.get(f"/t/{thread.pk}/{thread.slug}/").content.decode()

    assert f'{byline} <a href="/u/{member.username}/">' in html
    assert sign_in in html
    assert not_said not in html


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("question", "Your question is posted."),
        ("discussion", "Your discussion is started."),
        ("idea", "Your idea is posted; others can now vote for it."),
    ],
)
def test_posting_a_thread_says_what_was_posted(client, member, kind, message):
    space = SpaceFactory(slug="wallets")
    client.force_login(member)

    response = client.post(
        reverse("ask"),
        {
            "space": space.slug,
            "kind": kind,
            "title": "Let me name each of my wallets",
            "body": "With three wallets I never know which one I am looking at.",
        },
        follow=True,
    )

    assert message in response.content.decode()


def test_the_account_menu_takes_its_name_from_the_username_it_shows(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()

    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.DOTALL)
    assert summary[0].startswith("<summary>"), "an aria-label would hide the visible username from the name"
    text = re.sub(r"<span[^>]*aria-hidden=\"true\"[^>]*>.*?</span>|<[^>]+>", " ", summary[1])
    assert " ".join(text.split()) == f"{member.username} account menu"
