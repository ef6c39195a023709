from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from allauth.account.utils import get_next_redirect_url
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, re_path, reverse
from django.views.static import serve

from config import health


@secure_admin_login
def admin_signed_in(request: HttpRequest, extra_context=None) -> HttpResponse:
    """What /admin/login/ does once allauth's sign-in let a staff member in: go where they were going.

    The admin's own login view is never reached, since it would accept a password alone
    (a POST to it signs in whoever's password it is, past the second factor and the rate limits).
    """
    return redirect(get_next_redirect_url(request) or reverse("admin:index"))


# Anyone else is sent to the site's sign-in, which asks for the second factor and counts failed attempts.
admin.site.login = admin_signed_in

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("community.urls")),
    path("", include("community.urls_notifications")),
    path("", include("community.urls_seo")),
    path("", include("moderation.urls")),
]

if settings.SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    # Uploads on local disk; at scale they live in S3-compatible storage instead.
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler403 = "community.views.errors.permission_denied"
handler404 = "community.views.errors.page_not_found"
handler500 = "community.views.errors.server_error"
