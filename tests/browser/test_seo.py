"""Structured data in a real browser: the JSON-LD block is data, so the CSP lets it be."""

from __future__ import annotations

import json

import pytest

from tests.factories import SpaceFactory, answer, ask


@pytest.mark.browser
def test_a_question_page_with_json_ld_loads_without_csp_violations_and_runs_no_injected_script(
    page, page_problems, member, other_member
):
    attack = "</script><script>window.injected = 1</script> wallet"
    thread = ask(member, SpaceFactory(), title=attack, body=f"Body with {attack} inside it, at some length.")
    answer(other_member, thread, body=f"An answer that quotes {attack} back.")

    page.goto(f"/t/{thread.pk}/{thread.slug}/")

    block = page.locator('script[type="application/ld+json"]')
    assert block.count() == 1
    data = json.loads(block.text_content())
    assert data["mainEntity"]["name"] == attack
    assert page.evaluate("window.injected") is None
    assert page_problems.all() == []
