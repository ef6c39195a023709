from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RewardsConfig(AppConfig):
    name = "rewards"
    verbose_name = _("Rewards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Community offers these hooks and never imports rewards (the import rule).
        from community.importers.side_steps import side_step_register
        from community.profiles import profile_section_register
        from rewards import selectors, stackexchange

        side_step_register("Badges.xml", stackexchange.import_badges)
        profile_section_register(selectors.badges_section)
