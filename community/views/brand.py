from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=3600)
def brand_css(request: HttpRequest) -> HttpResponse:
    """The brand's colours as CSS custom properties.

    A stylesheet rather than an inline <style>, so the Content-Security-Policy
    can forbid inline styles. Pages link it with a version so a change shows at once.
    """
    return HttpResponse(render_to_string("brand.css", request=request), content_type="text/css")
