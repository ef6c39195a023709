from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("community.urls")),
    path("", include("community.urls_notifications")),
    path("", include("community.urls_seo")),
]

if settings.SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    # Uploads on local disk; at scale they live in S3-compatible storage instead.
    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler403 = "community.views.errors.permission_denied"
handler404 = "community.views.errors.page_not_found"
handler500 = "community.views.errors.server_error"
