"""Request guards every URL shares, so no view has to repeat them."""

from __future__ import annotations

from django.http import Http404, HttpRequest


class RejectNulBytesMiddleware:
    """A NUL byte in the path is a 404, before any view runs.

    PostgreSQL refuses NUL in text, so `/u/%00/` reached the database and
    failed there with a 500. No address of ours contains one. Query strings
    are left to the views: their forms refuse a NUL (Django's
    ProhibitNullCharactersValidator) with a message, as they refuse other bad input.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if "\x00" in request.path_info or "\x00" in request.path:
            raise Http404
        return self.get_response(request)
