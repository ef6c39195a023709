"""RSS and Atom feeds of the newest public threads: overall, per space and per tag.

Feeds are read by aggregators without a session, so they only ever carry
public spaces: a members-only or staff space's feed is a 404, like its page is
to a visitor. Each feed is the latest FEED_ITEMS threads, read in three
queries (threads with space and author, their tags, their opening posts)
however many there are.

Links are absolute from RAPPORT_BASE_URL (add_domain leaves absolute URLs
alone), so the Sites framework's placeholder domain never leaks into a feed.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from community.models import Space
from community.selectors.seo import absolute_url, feed_title_latest, feed_title_space, feed_title_tag
from community.selectors.syndication import FeedItem, feed_items, public_space_get

ATTRIBUTION_TEMPLATE = "community/partials/attribution.html"


class _ThreadFeed(Feed):
    """Items are threads; subclasses say which ones and what the feed is called."""

    feed_type = Rss201rev2Feed
    url_name = ""

    def feed_url(self, obj) -> str:
        return absolute_url(reverse(self.url_name, args=self.url_args(obj)))

    def url_args(self, obj) -> list:
        return []

    def description(self, obj) -> str:
        return self.title(obj)

    def subtitle(self, obj) -> str | None:
        # Atom's name for the description; RSS has no subtitle.
        return self.description(obj) if self.feed_type is Atom1Feed else None

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_link(self, item: FeedItem) -> str:
        return item.url

    def item_guid(self, item: FeedItem) -> str:
        return item.guid

    def item_description(self, item: FeedItem) -> str:
        # Readers take a description (RSS) or summary (Atom, type="html") as HTML; ours is plain text,
        # followed for imported threads by the credit their licence requires wherever they are shown.
        description = escape(item.description)
        if item.attribution is not None:
            description += render_to_string(ATTRIBUTION_TEMPLATE, {"attribution": item.attribution})
        return description

    def item_pubdate(self, item: FeedItem) -> datetime:
        return item.created_at

    def item_updateddate(self, item: FeedItem) -> datetime:
        return item.updated_at

    def item_author_name(self, item: FeedItem) -> str | None:
        return item.author_name

    def item_author_link(self, item: FeedItem) -> str | None:
        return item.author_url

    def item_categories(self, item: FeedItem) -> list[str]:
        return item.categories


class LatestThreadsFeed(_ThreadFeed):
    url_name = "feed_latest"

    def title(self, obj) -> str:
        return feed_title_latest()

    def link(self, obj) -> str:
        return absolute_url(reverse("thread_list"))

    def items(self, obj) -> list[FeedItem]:
        return feed_items()


class LatestThreadsAtomFeed(LatestThreadsFeed):
    feed_type = Atom1Feed
    url_name = "feed_latest_atom"


class SpaceThreadsFeed(_ThreadFeed):
    url_name = "feed_space"

    def get_object(self, request: HttpRequest, slug: str) -> Space:
        return public_space_get(slug=slug)

    def url_args(self, obj: Space) -> list:
        return [obj.slug]

    def title(self, obj: Space) -> str:
        return feed_title_space(obj)

    def description(self, obj: Space) -> str:
        return obj.description or self.title(obj)

    def link(self, obj: Space) -> str:
        return absolute_url(reverse("space_detail", args=[obj.slug]))

    def items(self, obj: Space) -> list[FeedItem]:
        return feed_items(space=obj)


class SpaceThreadsAtomFeed(SpaceThreadsFeed):
    feed_type = Atom1Feed
    url_name = "feed_space_atom"


class TagThreadsFeed(_ThreadFeed):
    """A tag nobody has used yet has an empty feed, as its page is an empty list."""

    url_name = "feed_tag"

    def get_object(self, request: HttpRequest, tag: str) -> str:
        return tag

    def url_args(self, obj: str) -> list:
        return [obj]

    def title(self, obj: str) -> str:
        return feed_title_tag(obj)

    def link(self, obj: str) -> str:
        return absolute_url(reverse("tag_detail", args=[obj]))

    def items(self, obj: str) -> list[FeedItem]:
        return feed_items(tag=obj)


class TagThreadsAtomFeed(TagThreadsFeed):
    feed_type = Atom1Feed
    url_name = "feed_tag_atom"
