"""Moderators' actions from the thread page. Same URLs as when they lived in community."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.forms import IdeaStatusForm
from community.selectors.threads import thread_get_for_user
from community.views.respond import Done, form_action, form_errors, refuse, sign_in_first
from community.views.threads import thread_page_url
from moderation.services.ideas import idea_status_set


@require_POST
def idea_status_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = thread_get_for_user(user=request.user, thread_id=thread_id)
    back = thread_page_url(thread)
    if not request.user.is_authenticated:
        return sign_in_first(request, back)
    form = IdeaStatusForm(request.POST)

    def perform(data: dict) -> Done:
        change = idea_status_set(thread=thread, status=data["status"], actor=request.user, note=data["note"])
        if change is None:
            return Done(f"{back}#idea-status", _("The idea already had that status."), messages.INFO)
        return Done(f"{back}#idea-status", _("Status changed; voters will be notified."))

    if response := form_action(request, form, perform, refused_to=back):
        return response
    # The form sits on the thread page, and is only shown to staff: its errors come back as a message.
    return refuse(request, form_errors(form), back_to=back)
