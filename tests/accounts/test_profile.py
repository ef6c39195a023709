from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from accounts.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _image(fmt: str = "PNG", size=(400, 300), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        image.save(buffer, format=fmt, exif=data.tobytes())
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def _post(client, **extra):
    data = {"display_name": "Alice", "bio": "", "location": "", "website": ""}
    data.update(extra)
    return client.post(reverse("account_settings"), data)


def test_settings_page_requires_sign_in(client):
    response = client.get(reverse("account_settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_avatar_is_cropped_re_encoded_and_stripped_of_exif(client, member):
    client.force_login(member)
    upload = SimpleUploadedFile("me.jpg", _image("JPEG", exif=True), content_type="image/jpeg")
    assert _post(client, avatar=upload).status_code == 302

    profile = Profile.objects.get(user=member)
    with profile.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "WEBP"
        assert image.size == (256, 256)
        assert not image.getexif()


def test_a_file_that_is_not_an_image_is_refused_with_a_message(client, member):
    client.force_login(member)
    upload = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    response = _post(client, avatar=upload, bio="Keep me")
    assert response.status_code == 200
    assert "avatar" in response.context["form"].errors
    # Nothing was saved, and what the member typed is still in the form.
    assert Profile.objects.get(user=member).bio == ""
    assert b"Keep me" in response.content


@override_settings(AVATAR_MAX_BYTES=2000)
def test_an_oversized_avatar_is_refused(client, member):
    client.force_login(member)
    upload = SimpleUploadedFile("big.png", _image(size=(600, 600)) + b"\0" * 3000, content_type="image/png")
    response = _post(client, avatar=upload)
    assert response.status_code == 200
    assert "limit" in str(response.context["form"].errors["avatar"])


def test_replacing_then_removing_an_avatar(client, member):
    client.force_login(member)
    _post(client, avatar=SimpleUploadedFile("a.png", _image(), content_type="image/png"))
    first = Profile.objects.get(user=member).avatar.name
    _post(client, avatar=SimpleUploadedFile("b.gif", _image("GIF"), content_type="image/gif"))
    second = Profile.objects.get(user=member).avatar.name
    assert first != second
    _post(client, remove_avatar="on")
    assert not Profile.objects.get(user=member).avatar


def test_invalid_website_is_a_form_error(client, member):
    client.force_login(member)
    response = _post(client, website="not a url")
    assert response.status_code == 200
    assert "website" in response.context["form"].errors


def test_public_profile_shows_public_fields_only(client, member):
    Profile.objects.filter(user=member).update(display_name="Alice A.", location="Oslo")
    response = client.get(reverse("member_profile", args=[member.username]))
    assert response.status_code == 200
    assert b"Alice A." in response.content
    assert member.email.encode() not in response.content


def test_unknown_or_deactivated_members_have_no_profile_page(client):
    UserFactory(username="gone", is_active=False)
    assert client.get(reverse("member_profile", args=["gone"])).status_code == 404
    assert client.get(reverse("member_profile", args=["nobody"])).status_code == 404


def test_public_profile_query_count(client, member, django_assert_max_num_queries):
    # The member, their post counts, their votes and their badges.
    with django_assert_max_num_queries(4):
        client.get(reverse("member_profile", args=[member.username]))


def test_the_profile_shows_earned_badges_gold_first_with_how_many_times(client, member):
    from datetime import UTC, datetime

    from rewards.models import Badge, BadgeAward, BadgeTier

    when = datetime(2021, 5, 1, tzinfo=UTC)
    nice = Badge.objects.create(name="Nice Answer", tier=BadgeTier.BRONZE)
    famous = Badge.objects.create(name="Famous Question", tier=BadgeTier.GOLD, description="10,000 views")
    for _ in range(3):
        BadgeAward.objects.create(badge=nice, member=member, awarded_at=when)
    BadgeAward.objects.create(badge=famous, member=member, awarded_at=when)
    Badge.objects.create(name="Not earned", tier=BadgeTier.SILVER)

    html = client.get(reverse("member_profile", args=[member.username])).content.decode()

    section = html.split('id="badges-title"')[1].split("</section>")[0]
    assert section.index("Famous Question") < section.index("Nice Answer")
    assert "Gold: </span>Famous Question" in section
    assert "× 3" in section
    assert "Not earned" not in section


def test_a_profile_without_badges_has_no_badges_section(client, member):
    html = client.get(reverse("member_profile", args=[member.username])).content.decode()
    assert 'id="badges-title"' not in html
