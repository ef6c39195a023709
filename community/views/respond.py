"""How action views answer: a partial for htmx, a message and a redirect for a plain form post."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from community.forms import apply_service_errors


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


@dataclass(frozen=True, slots=True)
class Done:
    """What a form action did: where to go next and what to tell the member."""

    url: str
    message: str
    level: int = messages.SUCCESS


def form_action(
    request: HttpRequest,
    form: forms.Form | None,
    perform: Callable[[dict], Done],
    *,
    refused_to: str | None,
) -> HttpResponse | None:
    """Validate `form`, run `perform(cleaned_data)` (which calls one service), then say what happened and redirect.

    A service's ValidationError lands on the form's fields. A PermissionDenied
    redirects to `refused_to` with the reason, or, when that is None, shows the
    reason above the form. Returns None when the form must be shown again with
    its errors (the caller renders its page); `form=None` is an action without
    fields, such as a confirmed delete.
    """
    if form is not None and not form.is_valid():
        return None
    try:
        done = perform(form.cleaned_data if form is not None else {})
    except PermissionDenied as error:
        if refused_to is None and form is not None:
            form.add_error(None, error_message(error))
            return None
        return refuse(request, error, back_to=refused_to or "/")
    except ValidationError as error:
        if form is None:
            return refuse(request, error, back_to=refused_to or "/")
        apply_service_errors(form, error)
        return None
    messages.add_message(request, done.level, done.message)
    return redirect(done.url)


def form_errors(form: forms.Form) -> ValidationError:
    """A form's errors as one ValidationError, for forms that have no page of their own to come back to."""
    return ValidationError("; ".join(str(e) for errors in form.errors.values() for e in errors))


OWN_CONTENT_PAGE = "community/own_content_form.html"


def confirmed_action(
    request: HttpRequest,
    perform: Callable[[dict], Done],
    *,
    allowed: bool,
    refusal: str,
    back_to: str,
    page: dict,
) -> HttpResponse:
    """A POST runs `perform`; a GET shows the page asking to confirm it (`page`: title, explanation,
    quote_html), so the action needs no JavaScript. Refused at once when it is not `allowed`."""
    if request.method == "POST":
        return form_action(request, None, perform, refused_to=back_to)
    if not allowed:
        return refuse(request, PermissionDenied(refusal), back_to=back_to)
    return render(
        request, OWN_CONTENT_PAGE, {**page, "back_url": back_to, "submit": _("Delete"), "button_class": "button-danger"}
    )
