"""Reads for spaces: the ones a person may see, and the ones they may post in."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from community import caching, permissions
from community.models import Space

# Bumped whenever a space is saved or deleted (community.receivers).
SPACES_SCOPE = "spaces"


def visible_space_ids(*, user) -> list[int]:
    """Ids of the spaces the user may see, from the cache.

    Lists filter threads on these ids rather than joining the space table: the
    planner then needs no statistics on a table too small for autovacuum ever
    to analyze, and a site's handful of spaces rarely changes.
    """
    visibilities = permissions.visible_visibilities(user)

    def build() -> list[int]:
        return list(Space.objects.filter(visibility__in=visibilities).order_by("pk").values_list("pk", flat=True))

    return caching.cached(SPACES_SCOPE, visible_space_ids_key(user), build)


def visible_space_ids_key(user) -> str:
    """visible_space_ids' entry in SPACES_SCOPE, for pages that fetch their entries together."""
    return "visible:" + permissions.visibility_key(user)


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
