"""Inserting an image into a post from the editor, in a real browser."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from community.models import Attachment
from tests.factories import PASSWORD, SpaceFactory, UserFactory, ask


@pytest.fixture
def picture(tmp_path):
    """A small PNG on disk, as a member would pick it."""
    path = tmp_path / "screenshot.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def upload(page, file_input, picture) -> None:
    """Pick the picture and wait for the server's answer to the upload itself, not for its side effects:
    a slow upload then fails here saying so (with its status), never later on a half-finished page."""
    with page.expect_response(lambda response: response.url.endswith("/uploads/images/"), timeout=30_000) as answer:
        file_input.set_input_files(str(picture))
    assert answer.value.status == 201, answer.value.text()


@pytest.mark.browser
def test_a_member_inserts_an_image_and_its_markdown_lands_in_the_text(
    page, page_problems, sign_in, member, picture, live_server
):
    SpaceFactory(name="Wallets", slug="wallets")
    sign_in(member.username, PASSWORD)
    page.goto(f"{live_server.url}/ask/")
    details = page.get_by_label("Details")
    details.fill("Here is what I see on the screen:")
    upload(page, page.locator("input[type=file]"), picture)
    expect(details).to_have_value(re.compile(r"!\[image\]\(/media/attachments/.+\.png\)"))
    assert Attachment.objects.filter(uploader=member).count() == 1
    assert page_problems.all() == []


@pytest.mark.browser
def test_the_hand_written_answer_form_takes_an_image_too(page, page_problems, sign_in, member, picture, live_server):
    thread = ask(UserFactory(), SpaceFactory(name="Wallets", slug="wallets"))
    sign_in(member.username, PASSWORD)
    page.goto(f"{live_server.url}/t/{thread.pk}/{thread.slug}/")
    text = page.get_by_label("Text", exact=True)
    text.fill("This is the screen I get:")
    upload(page, page.locator("#answer input[type=file]"), picture)
    expect(text).to_have_value(re.compile(r"!\[image\]\(/media/attachments/.+\.png\)"))
    assert Attachment.objects.filter(uploader=member).count() == 1
    assert page_problems.all() == []
