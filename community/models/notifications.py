from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.models.posts import Comment, Post
from community.models.spaces import Space
from community.models.threads import Thread


class NotificationKind(models.TextChoices):
    ANSWER = "answer", _("New answer in your thread")
    COMMENT = "comment", _("Comment on your post")
    ACCEPTED = "accepted", _("Your answer was accepted")
    MENTION = "mention", _("You were mentioned")
    WATCHED = "watched", _("Activity in something you follow")
    IDEA_STATUS = "idea_status", _("An idea you voted for changed status")


class Notification(models.Model):
    """Something a member should hear about. In-app first; emailed now or in a digest by preference.

    `key` names the event for this recipient ("answer:42"), so a task that runs
    twice cannot notify twice.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind)
    key = models.CharField(max_length=80)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the notification went out by email (alone or in a digest), or
    # was deliberately not sent; only after the mail server accepted it.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A lease: set by the worker about to send it (a conditional UPDATE, so one
    # worker at a time); a claim older than the lease is free again, so a worker
    # killed mid-send leaves nothing stuck (community.services.emails).
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
            models.Index(
                fields=["created_at"], condition=models.Q(emailed_at__isnull=True), name="notification_unsent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Follow(models.Model):
    """A member watching a thread, a tag or a space (exactly one of them)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="followers")
    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="followers")
    tag = models.ForeignKey("taggit.Tag", on_delete=models.CASCADE, null=True, blank=True, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(thread__isnull=False, space__isnull=True, tag__isnull=True)
                    | models.Q(thread__isnull=True, space__isnull=False, tag__isnull=True)
                    | models.Q(thread__isnull=True, space__isnull=True, tag__isnull=False)
                ),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["member", "thread"], name="follow_thread_once"),
            models.UniqueConstraint(fields=["member", "space"], name="follow_space_once"),
            models.UniqueConstraint(fields=["member", "tag"], name="follow_tag_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.thread_id or self.space_id or self.tag_id}"
