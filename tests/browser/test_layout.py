"""The site's frame in a real browser: clean loads, colour schemes, keyboard use."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.factories import PASSWORD, SpaceFactory, ask

# For every visible element with its own text, the contrast of its computed
# colour against the first opaque background behind it. Colours go through a
# canvas so that whatever syntax the browser computes (rgb(), color(srgb ...)
# from color-mix) comes back as plain RGBA. Text over a gradient (the hero) is
# covered by the palette test in tests/community/test_pages.py instead.
_LOW_CONTRAST_TEXT = """
(minimum) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const colour = rgba(style.backgroundColor);
      if (colour[3] === 1) return colour;
    }
    return rgba(getComputedStyle(document.documentElement).backgroundColor);
  };
  const luminance = ([r, g, b]) => {
    const lin = (c) => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const failures = [];
  for (const element of document.body.querySelectorAll("*")) {
    const ownText = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!ownText || rect.width <= 1 || rect.height <= 1 || style.visibility === "hidden") continue;
    const bg = background(element);
    if (!bg) continue;
    const fg = rgba(style.color);
    const blended = fg.slice(0, 3).map((c, i) => c * fg[3] + bg[i] * (1 - fg[3]));
    const [hi, lo] = [luminance(blended), luminance(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < minimum) {
      failures.push(`${element.tagName.toLowerCase()}.${element.className} "${element.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
  }
  return failures;
}
"""

SCHEMES = {"light": "rgb(245, 246, 248)", "dark": "rgb(14, 17, 22)"}


@pytest.mark.browser
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_home_page_loads_cleanly_and_follows_the_colour_scheme(page, page_problems, color_scheme):
    page.goto("/")
    page.wait_for_load_state("networkidle")

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Welcome to the {settings.RAPPORT_SITE_NAME}")
    assert page_problems.all() == []
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == SCHEMES[color_scheme]
    brand_primary = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand-primary')")
    assert brand_primary.strip() == settings.RAPPORT_BRAND_PRIMARY, "/brand.css did not apply"
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"


@pytest.mark.browser
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_text_is_readable_in_both_schemes(page, member, sign_in, color_scheme):
    ask(member, SpaceFactory(), tags=["wallet", "staking"])
    for path in ("/", "/tags/", "/accounts/signup/", "/no-such-page/"):
        page.goto(path)
        assert page.evaluate(_LOW_CONTRAST_TEXT, 4.5) == [], path

    sign_in(member.username, PASSWORD)
    page.locator(".member-menu summary").click()  # measure the open menu too
    assert page.evaluate(_LOW_CONTRAST_TEXT, 4.5) == [], "signed in home page"
    page.goto("/settings/profile/")
    assert page.evaluate(_LOW_CONTRAST_TEXT, 4.5) == [], "settings"


@pytest.mark.browser
def test_the_first_tab_reveals_the_skip_link_which_moves_focus_to_the_content(page):
    page.goto("/")
    skip_link = page.locator(".skip-link")
    hidden = skip_link.bounding_box()
    assert hidden["y"] + hidden["height"] <= 0, "the skip link should wait above the viewport"

    page.keyboard.press("Tab")

    expect(skip_link).to_be_focused()
    shown = skip_link.bounding_box()
    assert shown["y"] >= 0
    assert shown["height"] > 0
    assert shown["x"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.browser
@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_keyboard_focus_is_always_outlined(page):
    page.goto("/")
    outlines = []
    for _ in range(6):
        page.keyboard.press("Tab")
        outlines.append(
            page.evaluate(
                """() => {
                  const el = document.activeElement;
                  const style = getComputedStyle(el);
                  return [el.outerHTML.slice(0, 60), style.outlineStyle, parseFloat(style.outlineWidth)];
                }"""
            )
        )
    assert [o for o in outlines if o[1] == "none" or o[2] < 2] == []


@pytest.mark.browser
def test_the_account_menu_opens_from_the_keyboard_and_escape_closes_it(page, member, sign_in):
    sign_in(member.username, PASSWORD)
    summary = page.locator(".member-menu summary")
    sign_out = page.get_by_role("button", name="Sign out")

    summary.focus()
    page.keyboard.press("Enter")
    expect(sign_out).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Your profile", exact=True)).to_be_focused()
    page.keyboard.press("Escape")

    expect(sign_out).to_be_hidden()
    expect(summary).to_be_focused()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1200, 360])
def test_the_account_menu_is_named_by_the_username_it_shows_on_wide_and_narrow_screens(page, member, sign_in, width):
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(member.username, PASSWORD)
    summary = page.locator(".member-menu summary")
    username = summary.locator(".nav-username")

    # Voice control users say what they see: the accessible name must contain it (axe label-content-name-mismatch).
    expect(summary).to_have_accessible_name(f"{member.username} account menu")
    if width < 480:
        assert username.bounding_box()["width"] <= 1, "narrow screens show only the avatar"
    else:
        expect(username).to_be_visible()
    summary.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
