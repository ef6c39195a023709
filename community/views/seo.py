"""robots.txt and the sitemap index: what crawlers read before anything else."""

from __future__ import annotations

from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from community.selectors.seo import absolute_url
from community.sitemaps import SITEMAPS


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    context = {"prefix": get_script_prefix().rstrip("/"), "sitemap_url": absolute_url(reverse("sitemap_index"))}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


@require_safe
@x_robots_tag
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """Every page of every section's sitemap.

    Django's own index view takes the domain from the Sites framework; this one
    uses RAPPORT_BASE_URL like the sitemaps themselves. Two queries a section
    (its size and its latest change), however large the community.
    """
    items: list[SitemapIndexItem] = []
    latest = None
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class()
        url = absolute_url(reverse("sitemap_section", kwargs={"section": section}))
        lastmod = sitemap.get_latest_lastmod()
        if lastmod is not None:
            latest = lastmod if latest is None else max(latest, lastmod)
        items.append(SitemapIndexItem(url, lastmod))
        items.extend(SitemapIndexItem(f"{url}?p={page}", lastmod) for page in range(2, sitemap.paginator.num_pages + 1))
    headers = {"Last-Modified": http_date(latest.timestamp())} if latest else None
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml", headers=headers
    )
