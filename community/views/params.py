"""Reading query parameters the way every page does: a bad value is the default, never an error page."""

from __future__ import annotations

from django.http import HttpRequest


def page_number(request: HttpRequest, *, last: int | None = None) -> int:
    """The ?page= number, from 1 (and at most `last`); 1 when it is missing or not a number."""
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1
    return page if last is None else min(page, last)
