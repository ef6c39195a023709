from __future__ import annotations

from django.contrib import admin

from rewards.models import Badge


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    """Badges are named and described here; awards come from imports (and, later, the reward rules)."""

    list_display = ["name", "tier", "is_tag_badge"]
    list_filter = ["tier", "is_tag_badge"]
    search_fields = ["name"]
