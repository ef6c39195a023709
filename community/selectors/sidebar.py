"""What the home page's sidebar shows: the community's popular tags, its spaces with their threads, and
how many threads wait for a first answer, all counted over the spaces the reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import get_language

from community import caching, permissions
from community.models import Space
from community.pages.lists import TagEntry, tag_directory
from community.selectors import display
from community.selectors.links import Links
from community.selectors.lists import Sort
from community.selectors.spaces import SPACES_SCOPE, visible_space_ids

POPULAR_TAGS = 10
# Counting every thread per space is not worth redoing on each write (a vote bumps the threads' version):
# the sidebar's counts may lag by this much. A change of spaces (renamed, made private) shows at once.
SECONDS = 5 * 60


@dataclass(frozen=True, slots=True)
class SpaceEntry:
    name: str
    url: str
    threads_label: str


@dataclass(frozen=True, slots=True)
class Sidebar:
    tags: list[TagEntry]
    spaces: list[SpaceEntry]
    unanswered: int
    unanswered_url: str


def home_sidebar(*, user) -> Sidebar:
    """The sidebar for this reader, from the cache: shared by everyone who may see the same spaces.

    One query when it is built, the spaces with their threads and unanswered
    threads counted alongside, and one for the tag counts unless the tag
    directory has them cached.
    """
    key = f"sidebar:{permissions.visibility_key(user)}:{get_language()}"
    return caching.cached(SPACES_SCOPE, key, lambda: _build(user), timeout=SECONDS)


def _build(user) -> Sidebar:
    live = Q(threads__deleted_at__isnull=True)
    rows = list(
        Space.objects.filter(pk__in=visible_space_ids(user=user))
        .annotate(
            n=Count("threads", filter=live),
            unanswered=Count("threads", filter=live & Q(threads__answer_count=0, threads__closed_at__isnull=True)),
        )
        .order_by("name")
        .values_list("name", "slug", "n", "unanswered")
    )
    links = Links()
    spaces = [SpaceEntry(name, links.space(slug), display.threads_label(n)) for name, slug, n, _u in rows]
    unanswered = sum(row[3] for row in rows)
    return Sidebar(
        tags=tag_directory(user=user).tags[:POPULAR_TAGS],
        spaces=spaces,
        unanswered=unanswered,
        unanswered_url=f"{reverse('thread_list')}?sort={Sort.UNANSWERED}",
    )
