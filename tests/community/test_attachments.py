from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from community.models import Attachment
from community.services.attachments import attachment_upload

pytestmark = pytest.mark.django_db


def _image(fmt="JPEG", size=(800, 600), exif=True, frames=1) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    kwargs = {}
    if exif and fmt in ("JPEG", "WEBP", "PNG"):
        data = Image.Exif()
        data[0x8825] = {2: (48.0, 51.0, 24.0)}  # a GPS position: exactly what must never be published
        data[0x010F] = "PhoneMaker"
        kwargs["exif"] = data.tobytes()
    if frames > 1:
        extra = [Image.new("RGB", size, (200, 10, 10)) for _ in range(frames - 1)]
        image.save(buffer, format=fmt, save_all=True, append_images=extra)
    else:
        image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(("fmt", "stored"), [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WEBP"), ("GIF", "PNG")])
def test_images_are_re_encoded_without_metadata(member, fmt, stored):
    attachment = attachment_upload(uploader=member, upload=_upload(_image(fmt)))
    with attachment.file.open("rb") as f, Image.open(f) as image:
        assert image.format == stored
        assert not image.getexif()
        assert image.size == (800, 600)
    assert (attachment.width, attachment.height) == (800, 600)


def test_large_images_are_scaled_down(member):
    attachment = attachment_upload(uploader=member, upload=_upload(_image("PNG", size=(5000, 1000), exif=False)))
    assert (attachment.width, attachment.height) == (2560, 512)


def test_a_renamed_script_is_not_an_image(member):
    with pytest.raises(ValidationError, match="JPEG, PNG, GIF or WebP"):
        attachment_upload(uploader=member, upload=_upload(b"<svg onload=alert(1)>", name="x.png"))
    assert not Attachment.objects.exists()


def test_an_svg_or_bmp_is_refused(member):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="BMP")
    with pytest.raises(ValidationError):
        attachment_upload(uploader=member, upload=_upload(buffer.getvalue(), name="a.bmp"))


def test_the_size_limit_is_enforced_before_decoding(member, settings):
    settings.RAPPORT_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as excinfo:
        attachment_upload(uploader=member, upload=_upload(_image()))
    assert excinfo.value.code == "too_large"


def test_the_upload_endpoint_returns_markdown_or_problem_details(client, member):
    url = reverse("image_upload")
    assert client.post(url, {"image": _upload(_image())}).status_code == 401
    client.force_login(member)
    response = client.post(url, {"image": _upload(_image())})
    assert response.status_code == 201
    body = response.json()
    assert body["markdown"].startswith("![")
    assert body["url"] in body["markdown"]

    response = client.post(url, {"image": _upload(b"not an image", name="a.jpg")})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 400
    assert "JPEG" in response.json()["detail"]
    assert client.post(url, {}).json()["title"] == "No image"
    assert Attachment.objects.count() == 1


def test_uploads_are_rate_limited_per_member(member, monkeypatch):
    from django.core.exceptions import PermissionDenied

    from community.services import attachments

    monkeypatch.setattr(attachments, "UPLOADS_PER_HOUR", 2)
    attachment_upload(uploader=member, upload=_upload(_image(size=(20, 20))))
    attachment_upload(uploader=member, upload=_upload(_image(size=(20, 20))))
    with pytest.raises(PermissionDenied):
        attachment_upload(uploader=member, upload=_upload(_image(size=(20, 20))))
