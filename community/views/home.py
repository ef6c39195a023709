from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from community.views.lists import cached_list, thread_rows_fragment

HOME_THREADS = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return cached_list(request, lambda: _home(request))


def _home(request: HttpRequest) -> HttpResponse:
    page = thread_rows_fragment(request, limit=HOME_THREADS)
    return render(request, "community/home.html", {"rows_html": page.html, "next_cursor": page.next_cursor})
