from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")
    STAFF = "staff", _("Staff only")


class ThreadKind(models.TextChoices):
    QUESTION = "question", _("Question")
    DISCUSSION = "discussion", _("Discussion")
    IDEA = "idea", _("Idea")
    ARTICLE = "article", _("Article")


class Space(models.Model):
    """A category threads live in. One level of nesting: a space may have a parent, never a grandparent."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    default_kind = models.CharField(
        _("default thread kind"), max_length=12, choices=ThreadKind, default=ThreadKind.QUESTION
    )
    sla_first_response_hours = models.PositiveIntegerField(
        _("first response within (hours)"),
        null=True,
        blank=True,
        help_text=_("Used by moderation to flag threads waiting too long."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="community_space_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name
