"""Error pages. They render without context processors or database access:
the 500 page shows when the database may be the thing that failed."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _


def _render(title: str, body: str, status: int) -> HttpResponse:
    context = {"title": title, "body": body, "status": status, "site_name": settings.RAPPORT_SITE_NAME}
    html = loader.render_to_string("error.html", context)
    return HttpResponse(html, status=status)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(
        _("You can't see this page"),
        _(
            "You don't have permission to view this page. If you think you should, sign in with another account or ask a moderator."
        ),
        403,
    )


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _render(
        _("Page not found"),
        _("The page you were looking for isn't here. It may have been moved or deleted."),
        404,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(
        _("Something went wrong"),
        _("We have been told about it and will look into it. Please try again in a moment."),
        500,
    )
