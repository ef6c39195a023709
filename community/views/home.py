from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from community.selectors.sidebar import home_sidebar
from community.views.lists import cached_list, thread_rows_fragment

HOME_THREADS = 20


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return cached_list(request, lambda: _home(request))


def _home(request: HttpRequest) -> HttpResponse:
    page = thread_rows_fragment(request, limit=HOME_THREADS)
    context = {
        "rows_html": page.html,
        "next_cursor": page.next_cursor,
        "sidebar": home_sidebar(user=request.user),
        # For the head's title and description (seo_list_meta).
        "heading": _("The %(name)s community") % {"name": settings.RAPPORT_SITE_NAME},
    }
    return render(request, "community/home.html", context)
