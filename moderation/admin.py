"""Moderators' admin: threads are deleted, restored and moved here, through moderation's services.

Community's rows, registered by moderation so that the admin calls the
actions where the audit log will record them (moderation imports community,
never the reverse).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.models import Thread
from moderation.services.threads import thread_delete, thread_move, thread_restore


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Deleted")), ("no", _("Not deleted"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Read-mostly: writes that keep counters right go through the site's own pages and services.

    Deleting is soft (an action, through thread_delete; rows are never removed
    here), and so is restoring; a change of space goes through thread_move.
    """

    list_display = ["title", "kind", "space", "author", "answer_count", "score", "created_at", "deleted_at"]
    list_filter = ["kind", "space", "idea_status", DeletedFilter]
    list_select_related = ["space", "author"]
    search_fields = ["title"]
    readonly_fields = [
        "kind", "title", "slug", "author", "created_at", "last_activity_at", "accepted_answer",
        "duplicate_of", "idea_status", "score", "answer_count", "comment_count", "view_count", "me_too_count",
        "duplicate_count", "source", "source_id", "deleted_at",
    ]  # fmt: skip
    fields = ["space", *readonly_fields, "is_featured", "locked_at", "closed_at", "close_reason"]
    actions = ["delete_threads", "restore_threads"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Removing rows would lose the posts and their history: deleting is the soft delete action.
        return False

    def save_model(self, request, obj, form, change) -> None:
        others = [name for name in form.changed_data if name != "space"]
        if others:
            obj.save(update_fields=others)
        if "space" in form.changed_data:
            thread_move(thread=obj, space=obj.space, actor=request.user)

    def _each(self, request, queryset, service, message: Callable[[int], str]) -> None:
        done = sum(service(thread=thread, actor=request.user) for thread in queryset.select_related("space"))
        self.message_user(request, message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Delete selected threads (staff can still see and restore them)"))
    def delete_threads(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            thread_delete,
            lambda n: ngettext("%(count)d thread deleted.", "%(count)d threads deleted.", n),
        )

    @admin.action(description=_("Restore selected threads"))
    def restore_threads(self, request, queryset) -> None:
        self._each(
            request,
            queryset,
            thread_restore,
            lambda n: ngettext("%(count)d thread restored.", "%(count)d threads restored.", n),
        )
