"""How action views answer: a partial for htmx, a message and a redirect for a plain form post."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect


def error_message(error: PermissionDenied | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot do that.")


def sign_in_first(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send a visitor to sign in, then back to where they were (the whole page, also from htmx)."""
    url = f"{reverse('account_login')}?{urlencode({'next': next_url})}"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def refuse(
    request: HttpRequest,
    error: PermissionDenied | ValidationError,
    *,
    back_to: str,
    partial: str | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """Nothing was changed: say why. htmx gets the widget again with the reason (403 or 400)."""
    message = error_message(error)
    status = 403 if isinstance(error, PermissionDenied) else 400
    if request.htmx and partial:
        return render(request, partial, {**(context or {}), "error": message}, status=status)
    messages.error(request, message)
    return redirect(back_to)
