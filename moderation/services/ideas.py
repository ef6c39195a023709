"""The idea workflow: staff move an idea through its statuses with a note, and voters hear about it.

A moderator's action, so it lives in moderation; the change itself
(IdeaStatusChange) is community's data, shown on the thread page, and
community's signal tells its notifications.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import caching, permissions
from community.models import IdeaStatus, IdeaStatusChange, Thread, ThreadKind
from community.outbox import publish
from community.services.content import render_body
from community.signals import idea_status_changed

NOTE_MAX_LENGTH = 2000


@transaction.atomic
def idea_status_set(*, thread: Thread, status: str, actor: User, note: str) -> IdeaStatusChange | None:
    """Move an idea to `status`, keeping the note. Returns None when it already had that status.

    The thread row is locked so two staff members changing it at once record two
    consecutive changes, never two from the same starting status.
    """
    if thread.kind != ThreadKind.IDEA:
        raise ValidationError(_("Only ideas have a status."))
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only staff can change an idea's status."))
    if status not in IdeaStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Tell voters why: write a short note.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_LENGTH}})
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.idea_status == status:
        return None
    now = timezone.now()
    change = IdeaStatusChange.objects.create(
        thread=locked,
        from_status=locked.idea_status,
        to_status=status,
        note=note,
        note_html=render_body(note),
        actor=actor,
        created_at=now,
    )
    Thread.objects.filter(pk=thread.pk).update(idea_status=status, last_activity_at=now)
    caching.content_changed(thread.pk)
    thread.idea_status = status
    publish(idea_status_changed, sender=IdeaStatusChange, change_id=change.pk, thread_id=thread.pk, status=status)
    return change
