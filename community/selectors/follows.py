"""Reads about what members follow."""

from __future__ import annotations

from django.http import Http404
from taggit.models import Tag

from accounts.models import User
from community.models import Follow


def follow_target_tag(*, name: str) -> Tag:
    """A tag someone may follow: one that exists (404 otherwise)."""
    tag = Tag.objects.filter(name=name).first()
    if tag is None:
        raise Http404("No such tag.")
    return tag


def member_follows(*, member: User, space=None, tag_name: str | None = None) -> bool:
    """Whether the member follows this space or tag (one query; False for visitors)."""
    if not member.is_authenticated:
        return False
    if space is not None:
        return Follow.objects.filter(member=member, space=space).exists()
    return Follow.objects.filter(member=member, tag__name=tag_name).exists()
