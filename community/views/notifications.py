from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import EmailFrequency, Profile
from community.selectors.notifications import notification_get_for_member, notifications_for_inbox
from community.services.notifications import (
    email_frequency_set,
    notifications_mark_read,
    unsubscribe_user_from_token,
)


class EmailFrequencyForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=gettext_lazy("Email me about replies, mentions and what I follow"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
    )


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "community/notifications.html", {"notifications": notifications_for_inbox(member=request.user)}
    )


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(member=request.user)
    messages.success(request, _("All notifications marked as read."))
    return redirect("notification_list")


@login_required
@require_safe
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    notification = notification_get_for_member(member=request.user, notification_id=notification_id)
    notifications_mark_read(member=request.user, ids=[notification.pk])
    thread = notification.thread
    url = reverse("thread_detail", args=[thread.pk, thread.slug])
    return redirect(f"{url}#post-{notification.post_id}" if notification.post_id else url)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    profile, _created = Profile.objects.get_or_create(user=request.user)
    form = EmailFrequencyForm(request.POST or None, initial={"email_frequency": profile.email_frequency})
    if request.method == "POST" and form.is_valid():
        email_frequency_set(member=request.user, frequency=form.cleaned_data["email_frequency"])
        messages.success(request, _("Your email preferences were saved."))
        return redirect("notification_settings")
    return render(request, "community/notification_settings.html", {"form": form})


# Mail clients send the one-click unsubscribe POST (RFC 8058) without a CSRF
# token or cookies; the signed token in the URL is the authorisation.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    member = unsubscribe_user_from_token(token)
    if member is None:
        raise Http404(_("This unsubscribe link is not valid."))
    if request.method == "POST":
        email_frequency_set(member=member, frequency=EmailFrequency.OFF)
        return render(request, "community/unsubscribe.html", {"done": True, "member": member})
    return render(request, "community/unsubscribe.html", {"done": False, "member": member, "token": token})
