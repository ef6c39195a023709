from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from accounts.services import profile_ensure, profile_update


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    profile = profile_ensure(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            new_avatar = request.FILES.get("avatar")
            profile_update(
                user=request.user,
                display_name=data["display_name"],
                bio=data["bio"],
                location=data["location"],
                website=data["website"],
                avatar=new_avatar,
                remove_avatar=data["remove_avatar"] or data["avatar"] is False,
            )
            messages.success(request, _("Your profile was saved."))
            return redirect("account_settings")
        # Re-read so a rejected upload does not leave the form pointing at it.
        profile.refresh_from_db()
    else:
        form = ProfileForm(instance=profile, user=request.user)
    return render(request, "accounts/settings.html", {"form": form, "profile": profile})
