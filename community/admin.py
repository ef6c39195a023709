"""Admin for the brand's staff: spaces are created and ordered here, tags described."""

from __future__ import annotations

from django.contrib import admin

from community.models import Badge, IdeaStatusChange, Space, TagInfo, Thread


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "visibility", "default_kind", "position", "sla_first_response_hours"]
    list_editable = ["position"]
    list_filter = ["visibility", "default_kind"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    """Badges are named and described here; awards come from imports (and, later, the reward rules)."""

    list_display = ["name", "tier", "is_tag_badge"]
    list_filter = ["tier", "is_tag_badge"]
    search_fields = ["name"]


@admin.register(TagInfo)
class TagInfoAdmin(admin.ModelAdmin):
    list_display = ["tag", "updated_at"]
    search_fields = ["tag__name"]
    autocomplete_fields = ["tag"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Read-mostly: writes that keep counters right go through the site's own pages and services."""

    list_display = ["title", "kind", "space", "author", "answer_count", "score", "created_at"]
    list_filter = ["kind", "space", "idea_status"]
    list_select_related = ["space", "author"]
    search_fields = ["title"]
    readonly_fields = [
        "space", "kind", "title", "slug", "author", "created_at", "last_activity_at", "accepted_answer",
        "duplicate_of", "idea_status", "score", "answer_count", "comment_count", "view_count", "me_too_count",
        "duplicate_count", "source", "source_id",
    ]  # fmt: skip
    fields = [*readonly_fields, "is_featured", "locked_at", "closed_at", "close_reason"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdeaStatusChange)
class IdeaStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["thread", "from_status", "to_status", "actor", "created_at"]
    list_select_related = ["thread", "actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
