from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import needs_mfa_setup

# Pages a staff member must still reach while setting up two-factor sign-in.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz")


class StaffMFAMiddleware:
    """With RAPPORT_STAFF_REQUIRE_MFA, staff must add an authenticator app before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.RAPPORT_STAFF_REQUIRE_MFA
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            from allauth.mfa.models import Authenticator

            has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
            if needs_mfa_setup(user, required=True, has_authenticator=has_totp):
                messages.warning(request, _("Staff accounts must set up two-factor authentication first."))
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
