from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TagInfo(models.Model):
    """What a tag is about, shown on its page; written by staff in the admin."""

    tag = models.OneToOneField("taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="info")
    description = models.TextField(_("description"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tag description")
        verbose_name_plural = _("tag descriptions")

    def __str__(self) -> str:
        return str(self.tag)
