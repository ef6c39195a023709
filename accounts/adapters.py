from __future__ import annotations

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.names import username_check
from accounts.services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.RAPPORT_SIGNUP_OPEN

    def clean_username(self, username: str, shallow: bool = False) -> str:
        """Sign-up (by email or a social account) refuses reserved names and look-alikes of members' names.

        `shallow` is allauth making up a name from a social profile: no database, so only
        the reserved names are refused there, and allauth tries its next candidate.
        """
        username = super().clean_username(username, shallow=shallow)
        username_check(username=username, look_alikes=not shallow)
        return username

    def generate_unique_username(self, txts, regex=None) -> str:
        """A name for a social sign-up, unlike any member's: allauth only avoids names taken exactly."""
        username = super().generate_unique_username(txts, regex)
        for _attempt in range(10):
            try:
                username_check(username=username, reserved=False)
            except ValidationError:
                # Still a look-alike ("j0hn" beside "john"): allauth adds its suffixes to a new base.
                username = super().generate_unique_username([f"{username[:140]}{secrets.randbelow(10_000)}"], regex)
            else:
                break
        return username

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_ensure(user=user)
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            # Every provider's addresses exist, configured or not: an unconfigured one's are
            # not found (a 404, not a 500), and callers that expect DoesNotExist still get it.
            raise _ProviderNotConfigured from None

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.RAPPORT_SIGNUP_OPEN

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        profile_ensure(user=user)
        return user


class _ProviderNotConfigured(SocialApp.DoesNotExist, Http404):
    pass
