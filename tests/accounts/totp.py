"""The code an authenticator app would show now, for signing in as a member with two-factor sign-in."""

from __future__ import annotations

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

# Time the code must stay valid for while the test submits it (a browser needs a moment).
MARGIN_SECONDS = 5


def totp_code(secret: str) -> str:
    # A code read just before its period ends would be stale by the time it is checked: wait for the next one.
    left = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if left < MARGIN_SECONDS:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
