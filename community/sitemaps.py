"""Sitemaps of the public community: its spaces and their threads, never private spaces or deleted threads.

/sitemap.xml is always an index (community.views.seo.sitemap_index) pointing at
one sitemap per section, split into pages of `limit` URLs, so a community
that grows past one file needs no change. Addresses are absolute from
RAPPORT_BASE_URL rather than from the Sites framework's domain.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from community.models import Space, Thread
from community.selectors.links import Links
from community.selectors.seo import site_path
from community.selectors.syndication import spaces_for_sitemap, threads_for_sitemap, threads_latest_activity


class _PublicSitemap(Sitemap):
    # Search engines accept 50,000 URLs a file; smaller pages render in well under a second.
    limit = 5000

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.RAPPORT_BASE_URL).scheme

    def get_domain(self, site=None) -> str:
        # The base URL's host and path; locations are made relative to that path (site_path).
        parts = urlsplit(settings.RAPPORT_BASE_URL)
        return parts.netloc + parts.path.rstrip("/")


class ThreadSitemap(_PublicSitemap):
    changefreq = "daily"

    def __init__(self) -> None:
        self._links = Links()

    def items(self):
        return threads_for_sitemap()

    def location(self, item: Thread) -> str:
        return site_path(self._links.thread(item.pk, item.slug))

    def lastmod(self, item: Thread) -> datetime:
        return item.last_activity_at

    def get_latest_lastmod(self) -> datetime | None:
        # One aggregate, not a pass over every thread as the default would make.
        return threads_latest_activity()


class SpaceSitemap(_PublicSitemap):
    changefreq = "daily"

    def __init__(self) -> None:
        self._links = Links()

    def items(self):
        return spaces_for_sitemap()

    def location(self, item: Space) -> str:
        return site_path(self._links.space(item.slug))

    def lastmod(self, item: Space) -> datetime | None:
        return item.latest_activity

    def get_latest_lastmod(self) -> datetime | None:
        # A space's lastmod is its latest thread's, so the latest of all is the latest public thread's.
        return threads_latest_activity()


# Classes, not instances: the sitemap views instantiate one per request, so
# each request gets its own Links (reverse() depends on the request's script prefix).
SITEMAPS = {"spaces": SpaceSitemap, "threads": ThreadSitemap}
