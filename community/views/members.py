"""A member's public profile: who they are (accounts) and what they did here (community).

The page lives in community because it shows community content, and imports
run one way: community may read accounts, never the reverse.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.selectors import member_get_public
from community.profiles import profile_sections
from community.selectors.members import member_activity


@require_safe
def member_profile(request: HttpRequest, username: str) -> HttpResponse:
    member = member_get_public(username=username)
    activity = member_activity(viewer=request.user, member=member)
    return render(
        request,
        "accounts/profile.html",
        {
            "member": member,
            "profile": getattr(member, "profile", None),
            "activity": activity,
            # Sections of the apps built on community, such as the badges of rewards.
            "sections": profile_sections(member=member, viewer=request.user),
        },
    )
