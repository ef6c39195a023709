"""Moderators' actions on threads: close as a duplicate, reopen, lock, unlock, delete, restore, move.

They live in moderation, which imports community and never the reverse, so
the audit log can record each action beside it in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community import caching, permissions
from community.models import Space, Thread
from community.outbox import publish
from community.signals import thread_visibility_changed


@transaction.atomic
def thread_close_as_duplicate(*, thread: Thread, canonical: Thread, actor: User) -> bool:
    """Close a question as a duplicate of another. Returns False when it already pointed there."""
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only moderators can close threads as duplicates."))
    if canonical.pk == thread.pk:
        raise ValidationError(_("A thread cannot be a duplicate of itself."))
    if canonical.duplicate_of_id is not None:
        # Point at the end of the chain so readers land on the real answer.
        canonical = Thread.objects.get(pk=canonical.duplicate_of_id)
    if not permissions.can_view_thread(actor, canonical):
        raise PermissionDenied(_("You cannot see that thread."))
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.duplicate_of_id == canonical.pk:
        return False
    previous = locked.duplicate_of_id
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(duplicate_of=canonical, closed_at=now, close_reason="duplicate")
    Thread.objects.filter(pk=canonical.pk).update(duplicate_count=F("duplicate_count") + 1)
    if previous:
        Thread.objects.filter(pk=previous).update(duplicate_count=F("duplicate_count") - 1)
    caching.content_changed(thread.pk, canonical.pk, previous)
    thread.duplicate_of, thread.closed_at, thread.close_reason = canonical, now, "duplicate"
    return True


@transaction.atomic
def thread_reopen(*, thread: Thread, actor: User) -> bool:
    """Reopen a closed thread (undoing a duplicate link). Returns False when it was open."""
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only moderators can reopen threads."))
    locked = Thread.objects.select_for_update().get(pk=thread.pk)
    if locked.closed_at is None:
        return False
    if locked.duplicate_of_id:
        Thread.objects.filter(pk=locked.duplicate_of_id).update(duplicate_count=F("duplicate_count") - 1)
    Thread.objects.filter(pk=thread.pk).update(duplicate_of=None, closed_at=None, close_reason="")
    caching.content_changed(thread.pk, locked.duplicate_of_id)
    thread.duplicate_of, thread.closed_at, thread.close_reason = None, None, ""
    return True


@transaction.atomic
def thread_lock(*, thread: Thread, actor: User) -> bool:
    """Lock a thread: only staff may answer, comment or edit in it. Returns False when it was already locked.

    The conditional UPDATE is the claim: of two moderators locking at once, one changes the row.
    """
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only moderators can lock threads."))
    now = timezone.now()
    if not Thread.objects.filter(pk=thread.pk, locked_at__isnull=True).update(locked_at=now):
        return False
    caching.content_changed(thread.pk)
    thread.locked_at = now
    return True


@transaction.atomic
def thread_unlock(*, thread: Thread, actor: User) -> bool:
    """Unlock a thread. Returns False when it was not locked."""
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only moderators can unlock threads."))
    if not Thread.objects.filter(pk=thread.pk, locked_at__isnull=False).update(locked_at=None):
        return False
    caching.content_changed(thread.pk)
    thread.locked_at = None
    return True


def _duplicate_count_add(thread: Thread, amount: int) -> int | None:
    """Count the thread in (or out of) its canonical thread's live duplicates, as recompute_counters does.

    Call with the thread's row locked (by the UPDATE that claimed the change), so its link is current.
    Returns the canonical thread's id, whose page shows the count.
    """
    canonical = Thread.objects.filter(pk=thread.pk).values_list("duplicate_of_id", flat=True).first()
    if canonical:
        Thread.objects.filter(pk=canonical).update(duplicate_count=F("duplicate_count") + amount)
    return canonical


def _visibility_changed(thread: Thread, actor: User, change: str, *also: int | None) -> None:
    """Cached pages forget the thread at once (and `also`, threads showing it); the other apps hear after commit."""
    caching.visibility_changed(thread.pk, *also)
    publish(thread_visibility_changed, sender=Thread, thread_id=thread.pk, actor_id=actor.pk, change=change)


@transaction.atomic
def thread_delete(*, thread: Thread, actor: User) -> bool:
    """Soft-delete a thread: gone for everyone but staff, everywhere at once. Returns False when it was deleted."""
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only moderators can delete threads."))
    now = timezone.now()
    # The conditional UPDATE is the claim: of two moderators deleting at once, one changes the counters.
    if not Thread.objects.filter(pk=thread.pk, deleted_at__isnull=True).update(deleted_at=now):
        return False
    _visibility_changed(thread, actor, "deleted", _duplicate_count_add(thread, -1))
    thread.deleted_at = now
    return True


@transaction.atomic
def thread_restore(*, thread: Thread, actor: User) -> bool:
    """Bring a soft-deleted thread back. Returns False when it was not deleted."""
    if not permissions.can_moderate(actor, thread.space):
        raise PermissionDenied(_("Only moderators can restore threads."))
    if not Thread.objects.filter(pk=thread.pk, deleted_at__isnull=False).update(deleted_at=None):
        return False
    _visibility_changed(thread, actor, "restored", _duplicate_count_add(thread, 1))
    thread.deleted_at = None
    return True


@transaction.atomic
def thread_move(*, thread: Thread, space: Space, actor: User) -> bool:
    """Move a thread to another space, whose visibility it takes at once. Returns False when it was there."""
    if not (permissions.can_moderate(actor, thread.space) and permissions.can_moderate(actor, space)):
        raise PermissionDenied(_("Only moderators can move threads."))
    if not Thread.objects.filter(pk=thread.pk).exclude(space=space).update(space=space):
        return False
    _visibility_changed(thread, actor, "moved")
    thread.space = space
    return True
