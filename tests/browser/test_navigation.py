"""The sections row of the header on a phone: every link is there and can be used."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_on_a_phone_every_section_is_reachable_from_the_header(page, page_problems):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    sections = page.get_by_role("navigation", name="Sections")
    for name in ["Threads", "Unanswered", "Spaces", "Tags", "Ask"]:
        link = sections.get_by_role("link", name=name, exact=True)
        link.scroll_into_view_if_needed()
        expect(link).to_be_in_viewport()

    sections.get_by_role("link", name="Tags", exact=True).click()

    expect(page).to_have_url("/tags/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tags")
    assert page_problems.all() == []
