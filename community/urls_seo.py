"""Addresses for crawlers and feed readers: robots.txt, sitemaps, RSS and Atom feeds."""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from community import feeds
from community.sitemaps import SITEMAPS
from community.views import seo

urlpatterns = [
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap_index"),
    path("sitemap-<section>.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    # Feeds: RSS at feed/, Atom at feed/atom/.
    path("feed/", feeds.LatestThreadsFeed(), name="feed_latest"),
    path("feed/atom/", feeds.LatestThreadsAtomFeed(), name="feed_latest_atom"),
    path("s/<slug:slug>/feed/", feeds.SpaceThreadsFeed(), name="feed_space"),
    path("s/<slug:slug>/feed/atom/", feeds.SpaceThreadsAtomFeed(), name="feed_space_atom"),
    path("tags/<str:tag>/feed/", feeds.TagThreadsFeed(), name="feed_tag"),
    path("tags/<str:tag>/feed/atom/", feeds.TagThreadsAtomFeed(), name="feed_tag_atom"),
]
