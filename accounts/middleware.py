from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.permissions import is_staff_member, needs_mfa_setup

# Pages that never need a staff member's second factor: assets and probes.
_EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz")
# Account pages a staff member must reach to set up two-factor sign-in.
_SETUP_PREFIX = "/accounts/"
# Set by mfa_activated_in_session when an authenticator is added in this session.
_ACTIVATED_SESSION_KEY = "accounts_mfa_activated_by"


def mfa_activated_in_session(sender, request, user, **kwargs) -> None:
    """Adding an authenticator proves it (its code is asked for), so this session has passed it.

    Receiver of allauth's authenticator_added.
    """
    if request is not None:
        request.session[_ACTIVATED_SESSION_KEY] = str(user.pk)


def session_passed_mfa(request, user) -> bool:
    """Whether this session signed `user` in (or reauthenticated them) with their second factor."""
    if request.session.get(_ACTIVATED_SESSION_KEY) == str(user.pk):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


class StaffMFAMiddleware:
    """With RAPPORT_STAFF_REQUIRE_MFA, staff must add an authenticator app, then pass it in every session.

    allauth's sign-in asks for the second factor of anyone who has one, but any other
    way into a session (a login view of another app, a password reset that signs in)
    would carry only the password: so whether this session passed the factor is checked
    here, on every request, from what allauth recorded when it did.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.RAPPORT_STAFF_REQUIRE_MFA
            and user is not None
            and is_staff_member(user)
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            refusal = self._refusal(request, user)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request, user):
        passed = session_passed_mfa(request, user)
        if passed and request.path.startswith(_SETUP_PREFIX):
            return None
        from allauth.mfa.models import Authenticator

        enrolled = Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()
        if needs_mfa_setup(user, required=True, has_authenticator=enrolled):
            if request.path.startswith(_SETUP_PREFIX):
                return None
            messages.warning(request, _("Staff accounts must set up two-factor authentication first."))
            return redirect(reverse("mfa_activate_totp"))
        confirm_url = reverse("mfa_reauthenticate")
        if passed or request.path in (confirm_url, reverse("account_logout")):
            return None
        # Only the code page and signing out: not even the account pages, where a password
        # alone could turn the authenticator off.
        messages.warning(request, _("Enter a code from your authenticator app to go on."))
        return redirect(f"{confirm_url}?{urlencode({'next': request.get_full_path()})}")
