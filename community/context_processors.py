from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from community.selectors.notifications import notifications_unread_count


def notifications(request: HttpRequest) -> dict:
    """The bell's unread count, only when a page shows the bell: from the cache, or one indexed COUNT."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(member=user))}
