"""Moderators' admin: threads are deleted, restored, moved, locked, unlocked and reopened here, through
moderation's services.

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
from moderation.services.threads import (
    thread_delete,
    thread_lock,
    thread_move,
    thread_reopen,
    thread_restore,
    thread_unlock,
)


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Deleted")), ("no", _("Not deleted"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(deleted_at__isnull=self.value() == "no")
        return queryset


def _thread_action(service: Callable[..., bool], description: str, message: Callable[[int], str]):
    """An admin action calling `service(thread=..., actor=...)` on each selected thread, saying how many changed.

    The service returns False for a thread it left as it was, so a second run reports none.
    """

    @admin.action(description=description)
    def action(model_admin: admin.ModelAdmin, request, queryset) -> None:
        done = sum(service(thread=thread, actor=request.user) for thread in queryset.select_related("space"))
        model_admin.message_user(request, message(done) % {"count": done}, messages.SUCCESS)

    return action


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Read-mostly: writes that keep counters right go through the site's own pages and services.

    Deleting is soft (an action, through thread_delete; rows are never removed
    here), and so is restoring; a change of space goes through thread_move.
    Locking, unlocking and reopening are actions too, so each passes through
    its service (and the audit log it will write); the dates they set are
    shown, never edited. Closing needs the thread it duplicates: that is the
    site's own page.
    """

    list_display = [
        "title", "kind", "space", "author", "answer_count", "score", "created_at",
        "locked_at", "closed_at", "deleted_at",
    ]  # fmt: skip
    list_filter = ["kind", "space", "idea_status", DeletedFilter]
    list_select_related = ["space", "author"]
    search_fields = ["title"]
    readonly_fields = [
        "kind", "title", "slug", "author", "created_at", "last_activity_at", "accepted_answer",
        "duplicate_of", "idea_status", "score", "answer_count", "comment_count", "view_count", "me_too_count",
        "duplicate_count", "source", "source_id", "deleted_at", "locked_at", "closed_at", "close_reason",
    ]  # fmt: skip
    fields = ["space", *readonly_fields, "is_featured"]
    actions = ["delete_threads", "restore_threads", "lock_threads", "unlock_threads", "reopen_threads"]

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

    delete_threads = _thread_action(
        thread_delete,
        _("Delete selected threads (staff can still see and restore them)"),
        lambda n: ngettext("%(count)d thread deleted.", "%(count)d threads deleted.", n),
    )
    restore_threads = _thread_action(
        thread_restore,
        _("Restore selected threads"),
        lambda n: ngettext("%(count)d thread restored.", "%(count)d threads restored.", n),
    )
    lock_threads = _thread_action(
        thread_lock,
        _("Lock selected threads (only staff can answer, comment or edit)"),
        lambda n: ngettext("%(count)d thread locked.", "%(count)d threads locked.", n),
    )
    unlock_threads = _thread_action(
        thread_unlock,
        _("Unlock selected threads"),
        lambda n: ngettext("%(count)d thread unlocked.", "%(count)d threads unlocked.", n),
    )
    reopen_threads = _thread_action(
        thread_reopen,
        _("Reopen selected closed threads"),
        lambda n: ngettext("%(count)d thread reopened.", "%(count)d threads reopened.", n),
    )
