"""Follow and unfollow a thread, a space or a tag: htmx swaps the button, a plain form post redirects back."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.selectors.follows import follow_target_tag
from community.selectors.spaces import space_get_for_user
from community.selectors.threads import thread_get_for_user
from community.services.notifications import follow_set
from community.views.respond import refuse, sign_in_first
from community.views.threads import thread_page_url

PARTIAL = "community/partials/follow.html"


class FollowForm(forms.Form):
    on = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


def _toggle(request: HttpRequest, *, back: str, **target) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request, back)
    form = FollowForm(request.POST)
    # The path is decoded: "#" (in "c#") and other characters must be escaped again to link to it.
    context = {"follow_url": escape_uri_path(request.path), "can_follow": True}
    if not form.is_valid():
        error = ValidationError(_("Say whether to follow or not."))
        return refuse(request, error, back_to=back, partial=PARTIAL, context=context)
    on = form.cleaned_data["on"]
    try:
        follow_set(member=request.user, on=on, **target)
    except PermissionDenied as error:
        return refuse(request, error, back_to=back, partial=PARTIAL, context={**context, "following": not on})
    if not request.htmx:
        messages.success(request, _("Following: you will hear about new activity.") if on else _("Unfollowed."))
        return redirect(back)
    return render(request, PARTIAL, {**context, "following": on, "announce": True})


@require_POST
def thread_follow(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = thread_get_for_user(user=request.user, thread_id=thread_id)
    return _toggle(request, back=thread_page_url(thread), thread=thread)


@require_POST
def space_follow(request: HttpRequest, slug: str) -> HttpResponse:
    space = space_get_for_user(user=request.user, slug=slug)
    return _toggle(request, back=request.path.removesuffix("follow/"), space=space)


@require_POST
def tag_follow(request: HttpRequest, tag: str) -> HttpResponse:
    back = escape_uri_path(request.path.removesuffix("follow/"))
    tag_object = follow_target_tag(name=tag)
    return _toggle(request, back=back, tag=tag_object)
