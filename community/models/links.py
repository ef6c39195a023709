from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThreadLink(models.Model):
    """One thread pointing at another ("linked" threads, as Stack Overflow shows them).

    Duplicates are not links: they live on Thread.duplicate_of.
    """

    from_thread = models.ForeignKey("community.Thread", on_delete=models.CASCADE, related_name="links_out")
    to_thread = models.ForeignKey("community.Thread", on_delete=models.CASCADE, related_name="links_in")
    created_at = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("linked thread")
        verbose_name_plural = _("linked threads")
        constraints = [
            models.UniqueConstraint(fields=["from_thread", "to_thread"], name="threadlink_once"),
            models.CheckConstraint(condition=~models.Q(from_thread=models.F("to_thread")), name="threadlink_not_self"),
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="threadlink_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_thread_id} → {self.to_thread_id}"
