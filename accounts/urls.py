from __future__ import annotations

from django.urls import path

from accounts import views

urlpatterns = [
    path("settings/profile/", views.account_settings, name="account_settings"),
]
