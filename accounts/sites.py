"""Keeps the site record (which allauth's emails name) in step with RAPPORT_BASE_URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_sync_from_base_url(**kwargs) -> None:
    """Set the current site's domain and name from the settings; run after every migrate.

    RAPPORT_BASE_URL is the one place the public address is configured, so an
    admin edit of the site record would be overwritten: change the setting.
    """
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.RAPPORT_BASE_URL).netloc
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.RAPPORT_SITE_NAME[:50]}
    )
