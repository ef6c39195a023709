"""The badges a member has earned, for their profile (a section of community's profile page)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max

from accounts.models import User
from community.profiles import ProfileSection
from rewards.models import BadgeAward, BadgeTier

TIER_NAMES = {BadgeTier.GOLD: "gold", BadgeTier.SILVER: "silver", BadgeTier.BRONZE: "bronze"}


@dataclass(frozen=True, slots=True)
class EarnedBadge:
    name: str
    tier: str  # gold, silver or bronze: a CSS class and a word for screen readers
    tier_label: str
    description: str
    times: int  # a badge such as "Nice Answer" can be earned again


def member_badges(*, member: User, limit: int = 60) -> list[EarnedBadge]:
    """Each badge the member earned once, gold first, with how many times: one query."""
    rows = (
        BadgeAward.objects.filter(member=member)
        .values("badge__name", "badge__tier", "badge__description")
        .annotate(times=Count("pk"), last=Max("awarded_at"))
        .order_by("badge__tier", "-times", "badge__name")[:limit]
    )
    labels = dict(BadgeTier.choices)
    return [
        EarnedBadge(
            name=row["badge__name"],
            tier=TIER_NAMES.get(row["badge__tier"], "bronze"),
            tier_label=str(labels.get(row["badge__tier"], "")),
            description=row["badge__description"],
            times=row["times"],
        )
        for row in rows
    ]


def badges_section(*, member: User, viewer: User | AnonymousUser) -> ProfileSection | None:
    """The badges on a member's profile (shown to everyone: they are public on Stack Exchange too)."""
    badges = member_badges(member=member)
    return ProfileSection(template="rewards/partials/profile_badges.html", data=badges) if badges else None
