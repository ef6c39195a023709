"""Whole pages cached for visitors who are not signed in.

Visitors all see the same page, so it is rendered once per version of what it
shows (community.caching: each thread's page, and the lists, are bumped by the
writes that change them) and served from the cache until then. Every page is
also keyed on the visibility scope (caching.visibility_changed): a page shows
other threads too, and none may keep showing one that was hidden since.
Signed-in members always get a fresh page: theirs carries their votes, forms
and token.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from community import caching

# Lists show "5 minutes ago"; a minute keeps that honest even on a quiet site.
LIST_SECONDS = 60
THREAD_SECONDS = 10 * 60


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not getattr(request, "htmx", False)
        # A pending message ("You signed out") belongs to this visitor only.
        and CookieStorage.cookie_name not in request.COOKIES
    )


def visitor_page_key(request: HttpRequest) -> str | None:
    """The key visitor_page caches this request's page under, or None when it is not cached."""
    if not _cacheable(request):
        return None
    return f"page:{request.get_host()}|{request.get_full_path()}|{get_language()}"


def visitor_page_scopes(scope: str) -> tuple[str, str]:
    """The scopes a visitor page of `scope` is cached under, for pages that fetch their entries ahead."""
    return scope, caching.VISIBILITY_SCOPE


def visitor_page(request: HttpRequest, scope: str, render: Callable[[], HttpResponse], *, timeout: int) -> HttpResponse:
    """`render()`'s response, or for a visitor the cached copy made under the current versions of `scope` and visibility."""
    key = visitor_page_key(request)
    if key is None:
        return render()
    found = caching.lookup(visitor_page_scopes(scope), key)
    if found.hit:
        content, content_type = found.value
        response = HttpResponse(content, content_type=content_type)
    else:
        response = render()
        if response.status_code != 200 or response.cookies:
            return response
        found.store((response.content, response["Content-Type"]), timeout)
    patch_vary_headers(response, ["Cookie"])
    return response
