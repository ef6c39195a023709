"""Reads for the notification bell and inbox."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from community.models import Notification

INBOX_LIMIT = 50


def notifications_unread_count(*, member: User) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def notifications_for_inbox(*, member: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=member)
        .select_related("actor__profile", "thread")
        .order_by("-created_at", "-id")[:INBOX_LIMIT]
    )


def notification_get_for_member(*, member: User, notification_id: int) -> Notification:
    """The member's own notification, or 404 (never someone else's)."""
    return get_object_or_404(Notification.objects.select_related("thread"), pk=notification_id, recipient=member)
