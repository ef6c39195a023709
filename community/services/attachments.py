"""Image uploads for posts. The file is trusted for nothing: its type is sniffed from the bytes,
its size and pixel count are bounded, and what is stored is a fresh encoding of the pixels."""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from community import permissions
from community.models import Attachment

MAX_PIXELS = 40_000_000  # decoding more than this is a decompression bomb, not a photo
MAX_SIDE = 2560  # larger images are scaled down: nobody reads a post at 8K
# Stored format per sniffed format: GIFs keep their first frame only, as PNG.
OUTPUT = {"JPEG": ("JPEG", "image/jpeg", "jpg"), "PNG": ("PNG", "image/png", "png"),
          "WEBP": ("WEBP", "image/webp", "webp"), "GIF": ("PNG", "image/png", "png")}  # fmt: skip
UPLOADS_PER_HOUR = 60


def _check_rate(uploader: User) -> None:
    key = f"rapport:uploads:{uploader.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, 60 * 60)
    if cache.incr(key) > UPLOADS_PER_HOUR:
        raise PermissionDenied(_("You have uploaded a lot of images this hour; try again later."))


def attachment_upload(*, uploader: User, upload) -> Attachment:
    """Validate and store one image. Raises ValidationError with a message a member can act on."""
    if not permissions.is_active_member(uploader):
        raise PermissionDenied(_("Sign in to upload images."))
    limit = settings.RAPPORT_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    _check_rate(uploader)
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            source_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError, ValueError):
        raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP image."), code="invalid_image") from None
    if source_format not in OUTPUT:
        raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP image."), code="invalid_image")
    if width * height > MAX_PIXELS:
        raise ValidationError(_("The image has too many pixels; use one under 40 megapixels."), code="too_many_pixels")

    out_format, content_type, extension = OUTPUT[source_format]
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)  # first frame of an animation
        image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop EXIF
        if out_format == "JPEG":
            image = image.convert("RGB")
        elif image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        options = {"quality": 85, "optimize": True} if out_format in ("JPEG", "WEBP") else {"optimize": True}
        image.save(buffer, format=out_format, **options)  # no exif= argument: metadata is not carried over
        stored_width, stored_height = image.size
    data = buffer.getvalue()
    attachment = Attachment(
        uploader=uploader,
        width=stored_width,
        height=stored_height,
        size=len(data),
        content_type=content_type,
        original_name=str(getattr(upload, "name", ""))[:200],
        created_at=timezone.now(),
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    attachment.save()
    return attachment
