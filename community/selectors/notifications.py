"""Reads for the notification bell, the inbox and the emails.

A notification names a thread, and sometimes a post or comment. Who may see
those can change after it was written (a space made staff-only, a thread or
post deleted), so every read filters on what the reader may see now, in the
same query: its title never outlives its hiding.

The bell's unread count shows on every page a member reads, so it is cached
per member under their own scope, which every new notification and every
mark-as-read bumps (notifications_changed), and under the visibility and
spaces scopes, which whatever hides content or changes a space bumps: the
count follows what the member may see at once, as the inbox does.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from community import caching, permissions
from community.models import Notification
from community.selectors.spaces import SPACES_SCOPE

INBOX_LIMIT = 50
# A bound, not the means: every change the count depends on bumps one of its scopes.
UNREAD_COUNT_SECONDS = 10 * 60


def notifications_scope(member_id: int) -> str:
    return f"notifications:{member_id}"


def notifications_changed(*member_ids: int) -> None:
    """These members' notifications were added, read or removed: their cached counts are stale."""
    for member_id in set(member_ids):
        caching.bump(notifications_scope(member_id))


def notifications_visible_to(member: User) -> Q:
    """What of a notification's thread, post and comment `member` may see now, as a filter on Notification."""
    visible = Q(thread__space__visibility__in=permissions.visible_visibilities(member))
    if not permissions.is_staff(member):
        # No post or comment reads as visible here too: the outer join leaves their deleted_at NULL.
        visible &= Q(thread__deleted_at__isnull=True, post__deleted_at__isnull=True, comment__deleted_at__isnull=True)
    return visible


def _visible(member: User) -> QuerySet[Notification]:
    return Notification.objects.filter(notifications_visible_to(member), recipient=member)


def unread_count_entry(member: User) -> tuple[caching.Scopes, str]:
    """(scopes, key) of the member's unread count in the cache, for pages that fetch their entries ahead."""
    scopes = (notifications_scope(member.pk), caching.VISIBILITY_SCOPE, SPACES_SCOPE)
    # The spaces a member may see decide what counts; a change of role changes the key.
    return scopes, f"unread:{permissions.visibility_key(member)}"


def notifications_unread_count(*, member: User) -> int:
    return caching.cached(
        *unread_count_entry(member),
        lambda: _visible(member).filter(read_at__isnull=True).count(),
        timeout=UNREAD_COUNT_SECONDS,
    )


def notifications_for_inbox(*, member: User) -> QuerySet[Notification]:
    return _visible(member).select_related("actor__profile", "thread").order_by("-created_at", "-id")[:INBOX_LIMIT]


def notification_get_for_member(*, member: User, notification_id: int) -> Notification:
    """The member's own notification about something they may still see, or 404 (never someone else's)."""
    return get_object_or_404(_visible(member).select_related("thread"), pk=notification_id)
