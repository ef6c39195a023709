from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.models.threads import IdeaStatus, Thread


class IdeaStatusChange(models.Model):
    """One step of an idea's workflow, with the staff note that explains it to voters."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=IdeaStatus)
    to_status = models.CharField(max_length=16, choices=IdeaStatus)
    note = models.TextField(_("note to voters"), max_length=2000)
    note_html = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["thread", "created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"], name="idea_status_thread_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_status=models.F("to_status")), name="idea_status_changes")
        ]

    def __str__(self) -> str:
        return f"{self.thread_id}: {self.from_status} -> {self.to_status}"
