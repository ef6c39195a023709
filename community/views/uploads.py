"""Image upload for the post editor: JSON in, JSON out (RFC 9457 problem details on errors)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.services.attachments import attachment_upload


def problem(status: int, title: str, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


@require_POST
def image_upload(request: HttpRequest) -> JsonResponse:
    if not request.user.is_authenticated:
        return problem(401, _("Sign in required"), _("Sign in to upload images."))
    upload = request.FILES.get("image")
    if upload is None:
        return problem(400, _("No image"), _("Choose an image file to upload (form field 'image')."))
    try:
        attachment = attachment_upload(uploader=request.user, upload=upload)
    except ValidationError as error:
        status = 413 if error.code == "too_large" else 400
        return problem(status, _("Image refused"), " ".join(error.messages))
    except PermissionDenied as error:
        return problem(429 if "hour" in str(error) else 403, _("Upload refused"), str(error))
    url = attachment.file.url
    alt = _("image")
    return JsonResponse(
        {"url": url, "width": attachment.width, "height": attachment.height, "markdown": f"![{alt}]({url})"},
        status=201,
    )
