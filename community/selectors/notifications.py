"""Reads for the notification bell, the inbox and the emails.

A notification names a thread, and sometimes a post or comment. Who may see
those can change after it was written (a space made staff-only, a thread or
post deleted), so every read filters on what the reader may see now, in the
same query: its title never outlives its hiding.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from community import permissions
from community.models import Notification

INBOX_LIMIT = 50


def notifications_visible_to(member: User) -> Q:
    """What of a notification's thread, post and comment `member` may see now, as a filter on Notification."""
    visible = Q(thread__space__visibility__in=permissions.visible_visibilities(member))
    if not permissions.is_staff(member):
        # No post or comment reads as visible here too: the outer join leaves their deleted_at NULL.
        visible &= Q(thread__deleted_at__isnull=True, post__deleted_at__isnull=True, comment__deleted_at__isnull=True)
    return visible


def _visible(member: User) -> QuerySet[Notification]:
    return Notification.objects.filter(notifications_visible_to(member), recipient=member)


def notifications_unread_count(*, member: User) -> int:
    return _visible(member).filter(read_at__isnull=True).count()


def notifications_for_inbox(*, member: User) -> QuerySet[Notification]:
    return _visible(member).select_related("actor__profile", "thread").order_by("-created_at", "-id")[:INBOX_LIMIT]


def notification_get_for_member(*, member: User, notification_id: int) -> Notification:
    """The member's own notification about something they may still see, or 404 (never someone else's)."""
    return get_object_or_404(_visible(member).select_related("thread"), pk=notification_id)
