from __future__ import annotations

from django.db import models
from django.utils import timezone


class Delivery(models.Model):
    """One piece of work that must follow a committed write: one handler's turn at one event.

    Written in the same transaction as the write (community.outbox), so a
    committed write always has its deliveries and a rolled-back one has none.
    `done_at` is set in the same transaction as the handler's effect; until then
    the relay enqueues it again whenever `due_at` passes.
    """

    handler = models.CharField(max_length=100)
    # Names the event for this handler: a second record of the same event is ignored.
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    # When the relay should enqueue it (again) if it is not done by then.
    due_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)  # times the relay enqueued it
    failures = models.PositiveIntegerField(default=0)  # times its handler raised
    last_error = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["handler", "key"], name="delivery_once_per_handler_and_key")]
        indexes = [
            # The relay reads only undone deliveries, oldest due first; done ones never slow it down.
            models.Index(fields=["due_at"], condition=models.Q(done_at__isnull=True), name="delivery_pending_idx"),
            models.Index(fields=["done_at"], condition=models.Q(done_at__isnull=False), name="delivery_done_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} {self.key}"
