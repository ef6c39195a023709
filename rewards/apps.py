from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")
    default_auto_field = "django.db.models.BigAutoField"
    # Run by community's Stack Exchange import (see its side_steps()), which never imports rewards.
    stackexchange_side_steps = [("Badges.xml", "rewards.stackexchange.import_badges")]

    def ready(self) -> None:
        # Community offers the hook and never imports rewards (the import rule).
        from community.profiles import profile_section_register
        from rewards import selectors

        profile_section_register(selectors.badges_section)
