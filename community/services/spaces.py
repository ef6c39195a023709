"""Writes for spaces: the admin creates and edits them through here."""

from __future__ import annotations

from django.db import transaction

from community import caching
from community.models import Space
from community.selectors.spaces import SPACES_SCOPE


@transaction.atomic
def space_save(*, space: Space) -> Space:
    """Save a new or edited space. A change of who may see it hides (or shows) its threads on every page at once.

    The visibility it had is read with its row locked, so two staff editing the
    same space cannot both see "no change" and skip the bump.
    """
    before = None
    if space.pk is not None:
        before = Space.objects.select_for_update().filter(pk=space.pk).values_list("visibility", flat=True).first()
    space.save()
    # Its name and visibility are cached with the threads' rows and the visible-space ids.
    caching.bump(SPACES_SCOPE)
    if before is not None and before != space.visibility:
        caching.visibility_changed()
    return space
