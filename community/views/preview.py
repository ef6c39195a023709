"""The editors' Preview: Markdown rendered exactly as a saved post would be."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.services.content import render_body

# The editor asks at most twice a second while the preview is open and someone types: far below this.
PREVIEWS_PER_MINUTE = 150


@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """A sanitised HTML fragment of the posted `text`. Members only (visitors have no editor), CSRF-checked
    like every POST, rate-limited per member and no longer than a post may be, so it cannot be used to
    render arbitrary volumes."""
    if not request.user.is_authenticated:
        return HttpResponse(_("Sign in to preview."), status=403, content_type="text/plain; charset=utf-8")
    key = f"rapport:previews:{request.user.pk}:{timezone.now():%Y%m%d%H%M}"
    cache.add(key, 0, 120)
    if cache.incr(key) > PREVIEWS_PER_MINUTE:
        message = _("Too many previews in a minute; wait a moment.")
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    text = request.POST.get("text", "")
    if len(text) > settings.RAPPORT_BODY_MAX_LENGTH:
        message = _("The text is longer than a post may be (%(max)d characters).") % {
            "max": settings.RAPPORT_BODY_MAX_LENGTH
        }
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    response = HttpResponse(render_body(text), content_type="text/html; charset=utf-8")
    # A fragment, never a page of its own.
    response["X-Robots-Tag"] = "noindex"
    return response
