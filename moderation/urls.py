from __future__ import annotations

from django.urls import path

from moderation import views

urlpatterns = [
    path("threads/<int:thread_id>/status/", views.idea_status_view, name="idea_status"),
]
