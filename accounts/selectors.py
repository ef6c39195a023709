"""Reads for member pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User


def member_get_public(*, username: str) -> User:
    """An active member by username for their public profile page, or 404."""
    return get_object_or_404(User.objects.select_related("profile"), username=username, is_active=True)
