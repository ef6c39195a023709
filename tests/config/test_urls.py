"""Every address of the site, walked from the URL patterns: HEAD answers as GET does, and NUL bytes are refused."""

from __future__ import annotations

import contextlib

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from community.services.posts import comment_create
from tests.factories import SpaceFactory, answer, ask

pytestmark = pytest.mark.django_db


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, set[str]]]:
    """(name with its namespace, its keyword arguments) of every named pattern, included ones too."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            outer = set(entry.pattern.regex.groupindex)
            found += [(name, args | outer) for name, args in _named_patterns(entry, inner)]
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((namespace + entry.name, set(entry.pattern.regex.groupindex)))
    return found


@pytest.fixture
def site_content(member, other_member):
    space = SpaceFactory(slug="bikes")
    thread = ask(member, space, tags=("brakes",))
    reply = answer(other_member, thread)
    comment = comment_create(author=member, post=reply, body="Which model is it, a 2019 or a 2021 one?")
    return {
        "slug": space.slug,
        "tag": "brakes",
        "thread_id": thread.pk,
        "post_id": reply.pk,
        "comment_id": comment.pk,
        "number": 1,
        "username": member.username,
        "kind": "questions",
        "section": "threads",
        "token": "not-a-token",
        "notification_id": 1,
        "object_id": member.pk,
        "app_label": "accounts",
        "content_type_id": 1,
        "key": "not-a-key",
        "uidb36": "1",
        "provider_id": "github",
        "path": "nothing-here.png",
    }


def test_the_walk_has_a_sample_for_every_argument_of_the_sites_addresses(site_content):
    # A new address whose argument had no sample would be skipped by the walk without a word.
    arguments = {a for name, args in _named_patterns(get_resolver()) if ":" not in name for a in args}
    assert arguments <= set(site_content)


def _addresses(samples: dict) -> list[str]:
    addresses = []
    for name, arguments in _named_patterns(get_resolver()):
        if not arguments <= set(samples):
            continue
        with contextlib.suppress(NoReverseMatch):  # a sample that does not fit the pattern's converter
            addresses.append(reverse(name, kwargs={a: samples[a] for a in arguments}))
    return sorted(set(addresses))


@pytest.mark.parametrize("persona", ["anonymous", "member", "staff"])
def test_every_address_answers_head_as_it_answers_get(site_content, persona, request):
    # A 500 must show as a status here, so the walk reports every address at once.
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    addresses = _addresses(site_content)
    answered = {}
    for address in addresses:
        head = client.head(address)
        get = client.get(address)
        assert head.content == b"", address
        answered[address] = (head.status_code, get.status_code)

    wrong = [(a, s) for a, s in answered.items() if s[0] != s[1] or 500 in s]
    assert not wrong, "\n".join(map(str, wrong))
    answered = {a: s[1] for a, s in answered.items()}

    # Uptime monitors and link checkers probe these: they must really be pages, not refusals.
    for page in ("/", "/threads/", "/questions/", "/tags/", "/s/bikes/", "/tags/brakes/", "/healthz", "/feed/"):
        assert answered[page] == 200, page
    # The walk's thread address has the space's slug, so it redirects to the real one, which is a page too.
    thread_page = client.get(f"/t/{site_content['thread_id']}/", follow=True).redirect_chain[-1][0]
    assert (client.head(thread_page).status_code, client.get(thread_page).status_code) == (200, 200)
    assert len(addresses) > 60  # the walk reached the included apps (allauth, the admin), not only our own


@pytest.mark.parametrize(
    "address",
    [
        "/u/%00/",
        "/tags/%00/",
        "/tags/%00/feed/",
        "/tags/%00/feed/atom/",
        "/tags/%00/follow/",
        "/s/%00/",
        "/s/%00/feed/",
        "/t/1/%00/",
        "/notifications/unsubscribe/%00/",
        "/%00",
        "/admin/accounts/user/%00/change/",
        "/accounts/password/reset/key/%00/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "head"])
def test_a_nul_byte_in_the_path_is_not_found(client, member, address, method):
    client.force_login(member)
    response = getattr(client, method)(address)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "address",
    [
        "/search/?q=%00",
        "/search/?q=ok&tag=%00",
        "/?page=%00",
        "/threads/?sort=%00",
        "/threads/?after=%00",
        "/tags/?q=a%00b",
        "/tags/brakes/?page=%00",
        "/u/alice/?page=%00",
        "/feed/?%00=1",
        "/ask/tags/?q=%00",
    ],
)
def test_a_nul_byte_in_the_query_string_is_ignored_or_refused_by_the_page_not_a_server_error(client, member, address):
    ask(member, SpaceFactory(), tags=("brakes",))
    client.force_login(member)
    assert client.get(address).status_code == 200


@pytest.mark.parametrize("address", ["/u/alice/", "/tags/brakes/", "/search/?q=brakes", "/feed/?page=1"])
def test_the_same_addresses_without_a_nul_byte_are_served(client, member, address):
    ask(member, SpaceFactory(), tags=("brakes",))
    assert client.get(address).status_code == 200


def test_a_head_request_on_a_thread_counts_no_view_where_a_get_does(client, member):
    from community import tasks
    from community.models import Thread

    thread = ask(member, SpaceFactory())
    page = reverse("thread_detail", args=[thread.pk, thread.slug])
    assert client.head(page, HTTP_USER_AGENT="UptimeMonitor/1.0").status_code == 200
    tasks.flush_view_counts.run()
    assert Thread.objects.get(pk=thread.pk).view_count == 0

    client.get(page, HTTP_USER_AGENT="UptimeMonitor/1.0")
    tasks.flush_view_counts.run()
    assert Thread.objects.get(pk=thread.pk).view_count == 1
