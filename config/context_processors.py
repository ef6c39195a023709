from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def brand(request: HttpRequest) -> dict:
    """Brand settings every page needs (site name, colours, logo)."""
    return {
        "brand": {
            "name": settings.RAPPORT_SITE_NAME,
            "tagline": settings.RAPPORT_TAGLINE,
            "primary": settings.RAPPORT_BRAND_PRIMARY,
            "accent": settings.RAPPORT_BRAND_ACCENT,
            "logo_url": settings.RAPPORT_LOGO_URL,
        }
    }
