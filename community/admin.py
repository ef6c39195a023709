"""Admin for the brand's staff: spaces are created and ordered here, tags described.

Writes that change who may see something go through the services
(community/services/), which keep counters and caches right; the admin only
calls them. Threads are deleted, restored and moved in moderation's admin.
"""

from __future__ import annotations

from django.contrib import admin

from community.models import IdeaStatusChange, Space, TagInfo
from community.services.spaces import space_save


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "visibility", "default_kind", "position", "sla_first_response_hours"]
    list_editable = ["position"]
    list_filter = ["visibility", "default_kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def save_model(self, request, obj, form, change) -> None:
        space_save(space=obj)


@admin.register(TagInfo)
class TagInfoAdmin(admin.ModelAdmin):
    list_display = ["tag", "updated_at"]
    search_fields = ["tag__name"]
    autocomplete_fields = ["tag"]


@admin.register(IdeaStatusChange)
class IdeaStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["thread", "from_status", "to_status", "actor", "created_at"]
    list_select_related = ["thread", "actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
