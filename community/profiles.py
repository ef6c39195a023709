"""Sections that the apps built on community add to a member's profile page (rewards: badges).

The profile page belongs to community, which may not import those apps (the
import rule): each registers a builder from its AppConfig.ready, and the page
includes the template of every section a builder returns. A builder runs its
own queries, a fixed number whatever the member did, so the page's count stays flat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import User


@dataclass(frozen=True, slots=True)
class ProfileSection:
    template: str  # included with `section` in its context
    data: Any


SectionBuilder = Callable[..., ProfileSection | None]  # (*, member, viewer) -> a section, or None to show none

_BUILDERS: list[SectionBuilder] = []


def profile_section_register(builder: SectionBuilder) -> None:
    if builder not in _BUILDERS:
        _BUILDERS.append(builder)


def profile_sections(*, member: User, viewer: User | AnonymousUser) -> list[ProfileSection]:
    """The sections to show on `member`'s profile to `viewer`, in the order their apps registered."""
    return [section for builder in _BUILDERS if (section := builder(member=member, viewer=viewer)) is not None]
