"""An imported Stack Exchange thread in a real browser: its images load, and it credits its origin."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.community.stackexchange_sample import import_cardano_questions

IMAGE = "https://i.stack.imgur.com/oum30.png"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 90, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.browser
def test_an_imported_posts_https_image_loads_without_a_policy_violation(page, page_problems, tmp_path):
    thread = import_cardano_questions(tmp_path, 4281)[4281]
    # The test machine has no way out: the image host answers from here.
    page.route("https://i.stack.imgur.com/**", lambda route: route.fulfill(content_type="image/png", body=_png()))

    page.goto(f"/t/{thread.pk}/{thread.slug}/")

    image = page.locator(f'.post-body img[src="{IMAGE}"]')
    image.scroll_into_view_if_needed()
    expect(image).to_have_attribute("referrerpolicy", "no-referrer")
    expect(image).to_have_attribute("loading", "lazy")
    page.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=image.element_handle())
    attribution = page.locator(".post-attribution").first
    expect(attribution).to_contain_text("Originally posted by")
    expect(attribution.get_by_role("link", name="CC BY-SA 4.0")).to_have_attribute(
        "href", "https://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert page_problems.all() == []
