"""Writes for members and their profiles."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from accounts.models import Profile, User
from accounts.names import display_name_check

AVATAR_SIZE = 256


def profile_ensure(*, user: User) -> Profile:
    """The member's profile, created empty on first need (idempotent)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def _avatar_reencode(upload) -> ContentFile:
    """Square-crop, resize and re-encode: strips EXIF (location!) and any payload hidden in the file."""
    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image)
        image = ImageOps.fit(image.convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="WEBP", quality=85)
    return ContentFile(buffer.getvalue())


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    location: str,
    website: str,
    avatar=None,
    remove_avatar: bool = False,
) -> Profile:
    """Update the member's profile. `avatar` must already have passed validate_avatar.

    A new display name must not be reserved for the team (unless the member is staff).
    """
    profile = profile_ensure(user=user)
    if display_name.strip() != profile.display_name:
        try:
            display_name_check(display_name=display_name.strip(), user=user)
        except ValidationError as error:
            raise ValidationError({"display_name": error.error_list}) from None
    profile.display_name = display_name.strip()
    profile.bio = bio.strip()
    profile.location = location.strip()
    profile.website = website.strip()
    old_avatar_name = profile.avatar.name if profile.avatar else ""
    if avatar is not None:
        profile.avatar.save("avatar.webp", _avatar_reencode(avatar), save=False)
    elif remove_avatar:
        profile.avatar = ""
    profile.full_clean(exclude=["avatar", "user"])
    profile.save()
    new_avatar_name = profile.avatar.name if profile.avatar else ""
    if old_avatar_name and old_avatar_name != new_avatar_name:
        storage = profile.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return profile
