"""Production's URLs and one trivial view: the baseline every page is compared with in the same run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("config.urls")),
]

handler403 = "community.views.errors.permission_denied"
handler404 = "community.views.errors.page_not_found"
handler500 = "community.views.errors.server_error"
