"""The tag directory: every tag in use, with how many threads the reader may see carry it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import reverse
from taggit.models import Tag

from community.models import TagInfo, Visibility
from community.pages.lists import TAGS_PER_PAGE, tag_directory
from tests.factories import SpaceFactory, UserFactory, ask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


def names(directory) -> list[str]:
    return [tag.name for tag in directory.tags]


def test_tags_are_listed_most_used_first_with_their_counts(client):
    space = SpaceFactory()
    author = UserFactory()
    for _ in range(3):
        ask(author, space, tags=["wallet"])
    ask(author, space, tags=["wallet", "staking"])
    ask(author, space, tags=["ledger"])
    response = client.get(reverse("tag_index"))
    assert response.status_code == 200
    directory = response.context["directory"]
    assert names(directory) == ["wallet", "ledger", "staking"]
    assert [tag.threads_label for tag in directory.tags] == ["4 threads", "1 thread", "1 thread"]
    assert 'href="/tags/wallet/"' in response.content.decode()


def test_tags_of_private_spaces_and_deleted_threads_are_not_shown_to_who_cannot_see_them(client):
    author = UserFactory()
    ask(author, SpaceFactory(), tags=["public-tag"])
    ask(author, SpaceFactory(visibility=Visibility.MEMBERS), tags=["members-tag"])
    ask(UserFactory(is_staff=True), SpaceFactory(visibility=Visibility.STAFF), tags=["staff-tag"])
    deleted = ask(author, SpaceFactory(), tags=["gone-tag"])
    deleted.deleted_at = deleted.created_at
    deleted.save()
    assert names(tag_directory(user=AnonymousUser())) == ["public-tag"]
    page = client.get(reverse("tag_index")).content.decode()
    assert "public-tag" in page
    assert "members-tag" not in page
    assert "staff-tag" not in page
    assert "gone-tag" not in page
    assert names(tag_directory(user=UserFactory())) == ["members-tag", "public-tag"]
    assert names(tag_directory(user=UserFactory(is_staff=True))) == ["members-tag", "public-tag", "staff-tag"]


def test_filter_by_part_of_the_name_sort_by_name_and_descriptions(client):
    space = SpaceFactory()
    author = UserFactory()
    ask(author, space, tags=["hardware-wallet"])
    ask(author, space, tags=["wallet"])
    ask(author, space, tags=["wallet", "staking"])
    TagInfo.objects.create(tag=Tag.objects.get(name="staking"), description="Delegating to a stake pool.")
    response = client.get(reverse("tag_index"), {"filter": "WALLET", "sort": "name"})
    assert names(response.context["directory"]) == ["hardware-wallet", "wallet"]
    assert "Delegating" in client.get(reverse("tag_index")).content.decode()
    empty = client.get(reverse("tag_index"), {"filter": "nothing-like-it"}).content.decode()
    assert "No tag contains" in empty
    assert "nothing-like-it" in empty
    # An unknown sort or page falls back instead of failing.
    assert client.get(reverse("tag_index"), {"sort": "weird", "page": "x"}).status_code == 200


def test_pages_of_tags_link_to_each_other():
    space = SpaceFactory()
    author = UserFactory()
    for n in range(TAGS_PER_PAGE + 2):
        ask(author, space, tags=[f"tag-{n:03d}"])
    first = tag_directory(user=UserFactory(), sort="name")
    last = tag_directory(user=UserFactory(), sort="name", page=99)
    assert (first.pages, first.total, len(first.tags)) == (2, TAGS_PER_PAGE + 2, TAGS_PER_PAGE)
    assert (last.page, names(last)) == (2, [f"tag-{n:03d}" for n in (TAGS_PER_PAGE, TAGS_PER_PAGE + 1)])


@pytest.mark.parametrize("tags", [1, 30])
def test_the_directory_takes_the_same_few_queries_however_many_tags(client, django_assert_max_num_queries, tags):
    space = SpaceFactory()
    author = UserFactory()
    for n in range(tags):
        ask(author, space, tags=[f"tag-{n}"])
    member = UserFactory()
    client.force_login(member)
    # Session, member, the bell's count, visible spaces, the tags' counts (the last two cached after).
    with django_assert_max_num_queries(5):
        assert client.get(reverse("tag_index")).status_code == 200


def test_page_links_keep_the_filter_and_the_sort(client):
    space = SpaceFactory()
    author = UserFactory()
    for n in range(TAGS_PER_PAGE + 1):
        ask(author, space, tags=[f"pool-{n:03d}"])
    response = client.get(reverse("tag_index"), {"filter": "pool", "sort": "name"})
    assert response.context["next_url"] == "/tags/?filter=pool&sort=name&page=2"
    assert response.context["previous_url"] is None
    second = client.get(response.context["next_url"])
    assert second.context["previous_url"] == "/tags/?filter=pool&sort=name&page=1"
    assert [tag.name for tag in second.context["directory"].tags] == [f"pool-{TAGS_PER_PAGE:03d}"]


class _SearchLandmarks(HTMLParser):
    """The accessible name (aria-label, or the text aria-labelledby points at) of each role="search" landmark."""

    def __init__(self):
        super().__init__()
        self.landmarks: list[dict[str, str]] = []
        self.texts: dict[str, str] = {}
        self._open_id: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("role") == "search":
            self.landmarks.append(attrs)
        self._open_id = attrs.get("id")

    def handle_endtag(self, tag):
        self._open_id = None

    def handle_data(self, data):
        if self._open_id:
            self.texts[self._open_id] = self.texts.get(self._open_id, "") + data

    def names(self) -> list[str | None]:
        return [
            landmark.get("aria-label") or self.texts.get(landmark.get("aria-labelledby", ""), "").strip() or None
            for landmark in self.landmarks
        ]


def test_the_name_filter_is_a_search_landmark_told_apart_from_the_site_search(client):
    ask(UserFactory(), SpaceFactory(), tags=["wallet"])
    parser = _SearchLandmarks()
    parser.feed(client.get(reverse("tag_index")).content.decode())
    names = parser.names()
    # Two unnamed search landmarks read the same to a screen reader's landmark list.
    assert len(names) == 2
    assert len(set(names)) == len(names)
    assert None not in names
