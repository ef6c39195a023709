"""The public threads and spaces behind feeds and sitemaps.

Feeds and sitemaps are read by machines without a session, so these
querysets filter on Visibility.PUBLIC themselves rather than on a user's
visibilities: a members-only or staff space never shows here, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Prefetch, Q, QuerySet

from community.attribution import Attribution, post_attribution
from community.models import Post, PostKind, Space, Thread, Visibility
from community.rendering import excerpt
from community.selectors.links import Links
from community.selectors.seo import absolute_url
from community.selectors.spaces import space_get_for_user

FEED_ITEMS = 30
FEED_DESCRIPTION_LENGTH = 500
ATTRIBUTION_FIELDS = ("source", "source_id", "source_license", "source_author")


# --- Feeds ---------------------------------------------------------------------------


def _public_threads() -> QuerySet[Thread]:
    return Thread.objects.filter(deleted_at__isnull=True, space__visibility=Visibility.PUBLIC)


def public_space_get(*, slug: str) -> Space:
    """A space anyone may read, or 404: feeds are read without a session."""
    return space_get_for_user(user=AnonymousUser(), slug=slug)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One thread as a feed entry, with absolute links and plain-text description."""

    id: int
    title: str
    url: str
    guid: str  # the short address: unlike the slugged one, it survives a change of title
    description: str
    created_at: datetime
    updated_at: datetime
    author_name: str | None
    author_url: str | None
    categories: list[str]
    attribution: Attribution | None  # imported threads: author, original and licence


def feed_items(*, space: Space | None = None, tag: str | None = None, limit: int = FEED_ITEMS) -> list[FeedItem]:
    """The newest public threads as feed entries, in three queries: threads with their space
    and author, their tags, their opening posts."""
    threads = _public_threads()
    if space is not None:
        threads = threads.filter(space=space)
    if tag:
        threads = threads.filter(tags__name=tag)
    opening = Prefetch(
        "posts",
        queryset=Post.objects.filter(kind=PostKind.OPENING).only(
            "id", "thread_id", "kind", "author_id", "body_html", "created_at", *ATTRIBUTION_FIELDS
        ),
        to_attr="opening_posts",
    )
    threads = (
        threads.select_related("space", "author__profile")
        .prefetch_related("tags", opening)
        .order_by("-created_at", "-id")[:limit]
    )
    links = Links()
    items = []
    for thread in threads:
        author = thread.author
        opening_post = thread.opening_posts[0] if thread.opening_posts else None
        if opening_post is not None and opening_post.author_id == thread.author_id:
            opening_post.author = author  # loaded with the thread: no query per item
        items.append(
            FeedItem(
                id=thread.pk,
                title=thread.title,
                url=absolute_url(links.thread(thread.pk, thread.slug)),
                guid=absolute_url(links.template("thread_short", int).format(thread.pk)),
                description=excerpt(opening_post.body_html, FEED_DESCRIPTION_LENGTH) if opening_post else "",
                created_at=thread.created_at,
                updated_at=thread.last_activity_at,
                author_name=author.public_name if author else None,
                author_url=absolute_url(links.member(author.username)) if author else None,
                # The prefetch cache holds the tags; sorting here keeps it to that one query.
                categories=sorted(tag.name for tag in thread.tags.all()),
                attribution=post_attribution(opening_post) if opening_post else None,
            )
        )
    return items


# --- Sitemaps ------------------------------------------------------------------------


def threads_for_sitemap() -> QuerySet[Thread]:
    """Every public, undeleted thread: only what its address and lastmod need, in a stable order."""
    return _public_threads().only("id", "slug", "last_activity_at").order_by("pk")


def threads_latest_activity() -> datetime | None:
    return _public_threads().aggregate(latest=Max("last_activity_at"))["latest"]


def spaces_for_sitemap() -> QuerySet[Space]:
    """Public spaces, each annotated with its latest thread activity (`latest_activity`, None when empty)."""
    return (
        Space.objects.filter(visibility=Visibility.PUBLIC)
        .annotate(latest_activity=Max("threads__last_activity_at", filter=Q(threads__deleted_at__isnull=True)))
        .only("id", "slug")
        .order_by("pk")
    )
