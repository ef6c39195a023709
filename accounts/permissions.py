"""Pure predicates about members, shared by views, templates, tasks and the API."""

from __future__ import annotations


def is_staff_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def needs_mfa_setup(user, *, required: bool, has_authenticator: bool) -> bool:
    return required and is_staff_member(user) and not has_authenticator
