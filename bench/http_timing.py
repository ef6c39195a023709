"""Bench-only middleware: the server's own time for a request, in a Server-Timing header.

Outermost in bench/http_settings.py, so it covers every other middleware, the
view and the templates; what it leaves out (the connection, gunicorn, the WSGI
handler) is the same for every page and shows in the client's times.
"""

from __future__ import annotations

import time


class ServerTiming:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.3f}"
        return response
