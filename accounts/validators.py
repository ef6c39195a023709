from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_IMAGE_PIXELS = 4096 * 4096


def validate_avatar(file) -> None:
    """Check an uploaded avatar by its content, not its name or claimed type."""
    size = getattr(file, "size", None) or 0
    if size > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.AVATAR_MAX_BYTES)},
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(_("Upload a valid JPEG, PNG, GIF or WebP image."), code="invalid_image") from None
    finally:
        file.seek(position)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(_("Upload a valid JPEG, PNG, GIF or WebP image."), code="invalid_image")
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(_("The image is too large; use one under 4096×4096 pixels."), code="too_many_pixels")
