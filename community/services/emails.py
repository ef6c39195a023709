"""Notification emails, alone or as digests. Each notification is claimed before it is sent, so two
workers (or a retried task) never email it twice; a failed send gives the claim back for the retry."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import EmailFrequency, User
from community.models import IdeaStatusChange
from community.models.notifications import Notification, NotificationKind
from community.selectors.notifications import notifications_visible_to
from community.services.notifications import unsubscribe_token

log = logging.getLogger(__name__)

DIGEST_LIMIT = 50  # a digest lists at most this many; the rest wait for the next one


def _absolute(path: str) -> str:
    return settings.RAPPORT_BASE_URL + path


def _frequency(user: User) -> str:
    profile = getattr(user, "profile", None)
    return profile.email_frequency if profile else EmailFrequency.INSTANT


def _message(user: User, template: str, context: dict, *, notification_ids: list[int]) -> EmailMultiAlternatives:
    token = unsubscribe_token(user)
    unsubscribe_url = _absolute(reverse("notifications_unsubscribe", args=[token]))
    context = {
        **context,
        "member": user,
        "site_name": settings.RAPPORT_SITE_NAME,
        "base_url": settings.RAPPORT_BASE_URL,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": _absolute(reverse("notification_settings")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"community/emails/{template}_subject.txt", context).split())
        text = render_to_string(f"community/emails/{template}_body.txt", context)
        html = render_to_string(f"community/emails/{template}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the URL.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Which notifications this message carries: support can trace a member's
            # "I never got it", and a re-sent message is recognisable as a repeat.
            "X-Rapport-Notifications": ",".join(str(pk) for pk in notification_ids),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _item(notification: Notification) -> dict:
    thread = notification.thread
    path = reverse("thread_detail", args=[thread.pk, thread.slug])
    if notification.post_id:
        path += f"#post-{notification.post_id}"
    actor = notification.actor
    excerpt = notification.comment.body if notification.comment_id else ""
    if notification.kind == NotificationKind.IDEA_STATUS:
        change = IdeaStatusChange.objects.filter(thread=thread).order_by("-created_at", "-id").first()
        if change:
            excerpt = f"{change.get_to_status_display()}: {change.note}"
    return {
        "kind": notification.kind,
        "label": notification.get_kind_display(),
        "actor": actor.public_name if actor else "",
        "title": thread.title,
        "url": _absolute(path),
        "excerpt": excerpt[:300],
    }


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification to a member who wants them right away. Returns whether it was sent."""
    claimed_at = timezone.now()
    if not Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=claimed_at):
        return False  # already emailed (or digested)
    notification = (
        Notification.objects.select_related("recipient__profile", "actor__profile", "thread", "comment")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None:
        return False
    user = notification.recipient
    frequency = _frequency(user)
    if frequency in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
        # Not ours to send: give it back for the digest.
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(emailed_at=None)
        return False
    if not user.is_active or not user.email or frequency != EmailFrequency.INSTANT:
        return False  # stays claimed: deliberately never sent
    if not Notification.objects.filter(notifications_visible_to(user), pk=notification_id).exists():
        return False  # hidden from them since it was written: stays claimed, never sent
    try:
        _message(user, "notification", {"item": _item(notification)}, notification_ids=[notification.pk]).send()
    except Exception:
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(emailed_at=None)
        raise
    return True


def members_due_digest(*, frequency: str) -> list[int]:
    """Members on this digest frequency with something not yet emailed."""
    return list(
        User.objects.filter(
            is_active=True,
            profile__email_frequency=frequency,
            notifications__emailed_at__isnull=True,
            notifications__read_at__isnull=True,
        )
        .exclude(email="")
        .values_list("pk", flat=True)
        .distinct()
    )


def digest_send(*, user_id: int, frequency: str) -> int:
    """Email one digest of the member's unsent, unread notifications. Returns how many it listed."""
    user = User.objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or _frequency(user) != frequency:
        return 0
    claimed_at = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(recipient=user, emailed_at__isnull=True, read_at__isnull=True)
            .order_by("-created_at")
            .values_list("pk", flat=True)[:DIGEST_LIMIT]
        )
        # The claim: only rows nobody else claimed in between are ours.
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=claimed_at)
    # Those hidden from the member since they were written stay claimed and are never sent.
    claimed = list(
        Notification.objects.filter(notifications_visible_to(user), recipient=user, emailed_at=claimed_at)
        .select_related("actor__profile", "thread", "comment")
        .order_by("-created_at")
    )
    if not claimed:
        return 0
    period = timedelta(days=7 if frequency == EmailFrequency.WEEKLY else 1)
    context = {"items": [_item(n) for n in claimed], "frequency": frequency, "since": claimed_at - period}
    try:
        _message(user, "digest", context, notification_ids=[n.pk for n in claimed]).send()
    except Exception:
        Notification.objects.filter(pk__in=[n.pk for n in claimed], emailed_at=claimed_at).update(emailed_at=None)
        raise
    return len(claimed)
