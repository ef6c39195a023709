"""Rewards: what members earn. Today the badges (imported from Stack Exchange); reputation and privileges come next."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BadgeTier(models.IntegerChoices):
    # Stack Exchange's Class values, so imported awards keep their tier.
    GOLD = 1, _("Gold")
    SILVER = 2, _("Silver")
    BRONZE = 3, _("Bronze")


class Badge(models.Model):
    """A named recognition a member can earn, possibly several times; a name may come in several tiers."""

    name = models.CharField(_("name"), max_length=100)
    tier = models.PositiveSmallIntegerField(_("tier"), choices=BadgeTier, default=BadgeTier.BRONZE)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Tag badges (Stack Exchange's "TagBased") are named after a tag.
    is_tag_badge = models.BooleanField(default=False)

    class Meta:
        # The table keeps the name it had when badges lived in community (no data moved).
        db_table = "community_badge"
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["tier", "name"]
        # Tag badges come in gold, silver and bronze under the tag's one name.
        constraints = [models.UniqueConstraint(fields=["name", "tier"], name="badge_name_tier_unique")]

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    """One time a member earned a badge."""

    badge = models.ForeignKey(Badge, on_delete=models.CASCADE, related_name="awards")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards", db_index=False
    )  # badgeaward_member_idx
    awarded_at = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        db_table = "community_badgeaward"
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        indexes = [models.Index(fields=["member", "-awarded_at"], name="badgeaward_member_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], condition=~models.Q(source=""), name="badgeaward_source_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.badge} for member {self.member_id}"
