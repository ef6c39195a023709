"""How a post's code reads in a real browser, on a phone-sized screen."""

from __future__ import annotations

import pytest

from tests.factories import ask

LONG_LINE = (
    "20845 Apr 27 18:52:51 jolanta bash[677]: " + "1e774042b9adf5e4d4677dac54069ecce09926af382f5979e3db3200bfae31f2" * 2
)


@pytest.mark.browser
def test_a_long_line_of_code_wraps_instead_of_scrolling_where_a_keyboard_cannot(page, page_problems, member):
    thread = ask(member, title="Stake pool fails to start its subscriptions", body=f"The log:\n\n```\n{LONG_LINE}\n```")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"/t/{thread.pk}/{thread.slug}/")

    # A region that scrolls sideways is out of reach of a keyboard unless it takes focus; a wrapped one never scrolls.
    code = page.locator(".post-body pre").first
    assert code.evaluate("pre => pre.scrollWidth <= pre.clientWidth")
    assert LONG_LINE in code.inner_text().replace("\n", "")
    assert page_problems.all() == []
