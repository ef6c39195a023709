"""Notification emails, alone or as digests, sent at least once and, but for one narrow window, once.

Run by outbox handlers (community/handlers.py). Each notification is claimed
with a lease before it is sent, so two workers never send it at once; it is
recorded as emailed only after the mail server accepted it; a claim whose
lease ran out unsent is free again, and the outbox runs the job again until it
is done. The one duplicate left: a worker killed after the server accepted the
message and before the record.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import EmailFrequency, User
from community import outbox
from community.models import IdeaStatusChange
from community.models.notifications import Notification, NotificationKind
from community.outbox import Defer
from community.selectors.notifications import notifications_visible_to
from community.services.notifications import unsubscribe_token

log = logging.getLogger(__name__)

DIGEST_LIMIT = 50  # a digest lists at most this many; the rest wait for the next one
# Longer than an e-mail job's hard time limit (community/handlers.py), so a
# worker still sending is never overtaken; short, so a killed one delays little.
EMAIL_LEASE = timedelta(seconds=60)


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


def _claimable(now) -> Q:
    """Not emailed, and not claimed by a worker whose lease is still running."""
    return Q(emailed_at__isnull=True) & (Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_LEASE))


def notification_email_send(*, notification_id: int) -> bool:
    """Email one notification to a member who wants them right away. Returns whether it was sent.

    At least once: the notification is claimed with a lease, sent, and recorded
    as emailed only after the mail server accepted it. A worker killed in
    between leaves the claim to expire, and the next run sends it. Raises
    outbox.Defer while another worker's lease runs.
    """
    now = timezone.now()
    if not Notification.objects.filter(_claimable(now), pk=notification_id).update(email_claimed_at=now):
        state = Notification.objects.filter(pk=notification_id).values_list("emailed_at", "email_claimed_at").first()
        if state is None or state[0] is not None:
            return False  # gone, or emailed (or digested) already
        raise Defer(until=state[1] + EMAIL_LEASE)
    mine = Notification.objects.filter(pk=notification_id, email_claimed_at=now, emailed_at__isnull=True)
    notification = (
        Notification.objects.select_related("recipient__profile", "actor__profile", "thread", "comment")
        .filter(pk=notification_id)
        .first()
    )
    user = notification.recipient
    frequency = _frequency(user)
    if frequency in (EmailFrequency.DAILY, EmailFrequency.WEEKLY):
        mine.update(email_claimed_at=None)  # not ours to send: the digest takes it
        return False
    if (
        not user.is_active
        or not user.email
        or frequency != EmailFrequency.INSTANT
        or not Notification.objects.filter(notifications_visible_to(user), pk=notification_id).exists()
    ):
        # Deliberately never sent: off, no address, or hidden from them since it was written.
        mine.update(emailed_at=now)
        return False
    try:
        _message(user, "notification", {"item": _item(notification)}, notification_ids=[notification.pk]).send()
    except Exception:
        mine.update(email_claimed_at=None)  # free for the retry at once
        raise
    # Recorded only now: a crash before this line sends it again (the one duplicate left).
    mine.update(emailed_at=timezone.now())
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


def digests_schedule(*, frequency: str) -> int:
    """Record one digest job per member due one (the outbox sends them). Returns how many.

    Keyed by member and day: the beat task running twice records nothing more.
    """
    from community.handlers import EMAIL_DIGEST  # the handlers module imports this one

    day = timezone.localdate().isoformat()
    members = members_due_digest(frequency=frequency)
    with transaction.atomic():
        outbox.schedule_many(
            EMAIL_DIGEST,
            [(f"digest:{frequency}:{day}:{pk}", {"user_id": pk, "frequency": frequency}) for pk in members],
        )
    return len(members)


def digest_send(*, user_id: int, frequency: str) -> int:
    """Email one digest of the member's unsent, unread notifications. Returns how many it listed.

    Each notification is claimed with a lease (as a single e-mail is) and
    recorded as emailed only after the mail server accepted the digest: a
    worker killed in between leaves the claims to expire, and the next run
    lists them again.
    """
    user = User.objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or _frequency(user) != frequency:
        return 0
    now = timezone.now()
    pending = Notification.objects.filter(_claimable(now), recipient=user, read_at__isnull=True)
    ids = list(pending.order_by("-created_at").values_list("pk", flat=True)[:DIGEST_LIMIT])
    # The claim: only rows nobody claimed in between are ours.
    Notification.objects.filter(_claimable(now), pk__in=ids).update(email_claimed_at=now)
    mine = Notification.objects.filter(recipient=user, email_claimed_at=now, emailed_at__isnull=True)
    claimed = list(
        mine.filter(notifications_visible_to(user))
        .select_related("actor__profile", "thread", "comment")
        .order_by("-created_at")
    )
    # Those hidden from the member since they were written are never sent.
    mine.exclude(pk__in=[n.pk for n in claimed]).update(emailed_at=now)
    if not claimed:
        return 0
    period = timedelta(days=7 if frequency == EmailFrequency.WEEKLY else 1)
    context = {"items": [_item(n) for n in claimed], "frequency": frequency, "since": now - period}
    try:
        _message(user, "digest", context, notification_ids=[n.pk for n in claimed]).send()
    except Exception:
        mine.update(email_claimed_at=None)
        raise
    mine.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=timezone.now())
    return len(claimed)
