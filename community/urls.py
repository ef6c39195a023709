from __future__ import annotations

from django.urls import path

from community.views import brand, home

urlpatterns = [
    path("", home.home, name="home"),
    path("brand.css", brand.brand_css, name="brand_css"),
]
