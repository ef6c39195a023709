"""Admin for the brand's staff: spaces are created and ordered here, tags described.

Writes that change who may see something go through the services
(community/services/), which keep counters and caches right; the admin only
calls them. Threads are deleted, restored and moved in moderation's admin.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from community.models import Delivery, IdeaStatusChange, Space, TagInfo
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


class DeliveryState(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", _("Not done")), ("failing", _("Failing")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "failing":
            return queryset.filter(done_at__isnull=True, failures__gt=0)
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what the outbox has to do and did, for operators asking "why did this never happen?"."""

    list_display = ["id", "handler", "key", "created_at", "due_at", "attempts", "failures", "done_at"]
    list_filter = [DeliveryState, "handler"]
    search_fields = ["key"]
    ordering = ["-id"]
    show_full_result_count = False  # the table is large; counting it on every page is not worth it

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
