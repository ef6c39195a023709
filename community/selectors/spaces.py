"""Reads for spaces: the ones a person may see, and the ones they may post in."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from community import permissions
from community.models import Space


def space_list_for_user(*, user) -> QuerySet[Space]:
    """Spaces the user may see, parents before their children's own ordering."""
    return Space.objects.filter(visibility__in=permissions.visible_visibilities(user)).select_related("parent")


def space_get_for_user(*, user, slug: str) -> Space:
    """A space by slug, or 404 for one that does not exist or that the user may not see.

    Not 403: a private space's name and existence are themselves private.
    """
    space = Space.objects.filter(slug=slug).select_related("parent").first()
    if space is None or not permissions.can_view_space(user, space):
        raise Http404("No such space.")
    return space


def spaces_for_posting(*, user) -> QuerySet[Space]:
    """Spaces the user may start a thread in (the ask form's choices)."""
    if not permissions.is_active_member(user):
        return Space.objects.none()
    # can_post_in_space is "an active member who can see the space", so the visibility filter is the whole rule.
    return Space.objects.filter(visibility__in=permissions.visible_visibilities(user))
