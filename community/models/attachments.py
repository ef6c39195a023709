from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{filename}"


class Attachment(models.Model):
    """An image a member uploaded for a post, stored re-encoded (no EXIF, no hidden payload)."""

    uploader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments")
    file = models.ImageField(upload_to=attachment_upload_to)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text=_("Stored size in bytes."))
    content_type = models.CharField(max_length=20)
    original_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["uploader", "-created_at"], name="attachment_uploader_idx")]

    def __str__(self) -> str:
        return self.file.name
