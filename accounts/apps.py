from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added
        from django.db.models.signals import post_migrate

        from accounts.middleware import mfa_activated_in_session
        from accounts.sites import site_sync_from_base_url

        # Sent after the sites app (earlier in INSTALLED_APPS) made its example.com record, so ours wins.
        post_migrate.connect(site_sync_from_base_url, sender=self, dispatch_uid="accounts.site_sync")
        authenticator_added.connect(mfa_activated_in_session, dispatch_uid="accounts.mfa_activated")
