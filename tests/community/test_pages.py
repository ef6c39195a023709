"""The site's frame: home page, brand stylesheet, error pages, account pages,
accessibility of the markup, and the colour contrast of the palette."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.views import errors
from tests.factories import PASSWORD, SpaceFactory, ask

# --- Reading HTML --------------------------------------------------------------


class _ElementCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every start tag in document order, with its attributes."""
    collector = _ElementCollector()
    collector.feed(html)
    return collector.elements


def find_all(html: str, tag: str, **attrs: str) -> list[dict[str, str]]:
    return [a for t, a in elements(html) if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]


_NOT_LABELLABLE = {"hidden", "submit", "button", "reset", "image"}


def unlabelled_controls(html: str) -> list[dict[str, str]]:
    """Form controls that neither a <label for> nor an ARIA attribute names."""
    found = elements(html)
    label_targets = {a.get("for") for t, a in found if t == "label"}
    missing = []
    for tag, attrs in found:
        if tag not in {"input", "select", "textarea"} or attrs.get("type", "text") in _NOT_LABELLABLE:
            continue
        if attrs.get("id") in label_targets or attrs.get("aria-label") or attrs.get("aria-labelledby"):
            continue
        missing.append(attrs)
    return missing


def dangling_describedby(html: str) -> list[str]:
    """aria-describedby references that point at no element."""
    found = elements(html)
    ids = {a["id"] for _, a in found if "id" in a}
    return [ref for _, a in found for ref in a.get("aria-describedby", "").split() if ref not in ids]


def assert_in_site_layout(html: str) -> None:
    assert find_all(html, "header", role="banner"), "no banner header"
    assert find_all(html, "main", id="main"), "no <main id=main>"
    assert find_all(html, "footer", role="contentinfo"), "no contentinfo footer"
    assert find_all(html, "link", rel="stylesheet", href="/static/css/rapport.css")


# --- Home page -------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_welcomes_visitors_and_invites_them_to_join(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_site_layout(html)
    assert f"Welcome to the {settings.RAPPORT_SITE_NAME} community" in html
    signup_links = find_all(html, "a", href=reverse("account_signup"))
    assert len(signup_links) == 2, "the header and the hero both offer to join"
    assert find_all(html, "section", id="latest"), "the thread list needs its section"


def test_home_page_shows_a_signed_in_member_their_name_and_no_join_button(client, member):
    client.force_login(member)

    html = client.get(reverse("home")).content.decode()

    assert find_all(html, "a", href=reverse("member_profile", args=[member.username]))
    assert ">alice</span>" in html
    assert not find_all(html, "a", href=reverse("account_signup"))
    assert find_all(html, "form", action=reverse("account_logout"))
    assert find_all(html, "a", class_="bell")


def _threads(author, space, count: int) -> None:
    for n in range(count):
        ask(author, space, title=f"How do I move my wallet to a new phone, part {n}?")


def _home_page_queries(client) -> int:
    cache.clear()  # count a page that is rendered, not one served to a visitor from the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(queries)


# The session and the member (signed in), the visible spaces (until cached), the
# thread page and its tags, and the bell's unread count (signed in). The header
# and the brand add none.
HOME_QUERIES = {"anonymous": 5, "member": 8}  # the sidebar adds two: spaces with their counts, and tag counts


@pytest.mark.parametrize("visitor", ["anonymous", "member"])
def test_home_page_queries_stay_constant_as_threads_grow(client, member, visitor, django_assert_max_num_queries):
    if visitor == "member":
        client.force_login(member)
    space = SpaceFactory()
    _threads(member, space, 1)
    cache.clear()
    with django_assert_max_num_queries(HOME_QUERIES[visitor]):
        client.get(reverse("home"))
    with_one = _home_page_queries(client)

    _threads(member, space, 49)

    with django_assert_max_num_queries(with_one):
        response = client.get(reverse("home"))
    assert response.status_code == 200


@pytest.mark.django_db
def test_home_page_shows_the_brand_tagline_when_one_is_set(client, settings):
    settings.RAPPORT_TAGLINE = "Tips from people who brew at home"
    html = client.get(reverse("home")).content.decode()
    assert "Tips from people who brew at home" in html


# --- Brand stylesheet ---------------------------------------------------------------


@pytest.mark.django_db
def test_brand_css_serves_the_configured_colours_as_custom_properties(client, settings):
    settings.RAPPORT_BRAND_PRIMARY = "#123456"
    settings.RAPPORT_BRAND_ACCENT = "#0a6b5c"

    response = client.get(reverse("brand_css"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    body = response.content.decode()
    assert "--brand-primary: #123456;" in body
    assert "--brand-accent: #0a6b5c;" in body


@pytest.mark.django_db
def test_pages_link_the_brand_css_after_the_site_css_with_a_version_that_follows_the_colours(client, settings):
    settings.RAPPORT_BRAND_PRIMARY = "#123456"
    settings.RAPPORT_BRAND_ACCENT = "#0a6b5c"

    html = client.get(reverse("home")).content.decode()

    stylesheets = [a["href"] for a in find_all(html, "link", rel="stylesheet")]
    assert stylesheets[:2] == ["/static/css/rapport.css", "/brand.css?v=1234560a6b5c"]


@pytest.mark.django_db
def test_pages_load_only_local_scripts_without_inline_code_or_styles(client):
    html = client.get(reverse("home")).content.decode()

    scripts = find_all(html, "script")
    assert scripts, "htmx and rapport.js are expected"
    assert all(s.get("src", "").startswith("/static/") for s in scripts)
    assert "<style" not in html
    assert not [a for _, a in elements(html) if "style" in a]


# --- Accessibility of the frame ------------------------------------------------------


@pytest.mark.django_db
def test_the_skip_link_is_the_first_focusable_element_and_targets_main(client):
    html = client.get(reverse("home")).content.decode()

    in_body = False
    first_focusable = None
    for tag, attrs in elements(html):
        in_body = in_body or tag == "body"
        if in_body and (tag in {"a", "button", "input", "select", "textarea"} or "tabindex" in attrs):
            first_focusable = (tag, attrs)
            break
    assert first_focusable == ("a", {"class": "skip-link", "href": "#main"})
    assert find_all(html, "main", id="main", tabindex="-1")


@pytest.mark.django_db
def test_the_frame_has_named_landmarks_and_a_labelled_search_box(client):
    html = client.get(reverse("home")).content.decode()

    assert find_all(html, "html", lang="en")
    assert find_all(html, "nav", **{"aria-label": "Main"})
    assert find_all(html, "form", role="search")
    assert find_all(html, "label", **{"for": "site-search"})
    assert unlabelled_controls(html) == []


@pytest.mark.django_db
def test_form_help_and_errors_are_announced_and_tied_to_their_fields(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "username": "newcomer", "password1": "x", "password2": "y"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    email = find_all(html, "input", name="email")[0]
    assert email["aria-invalid"] == "true"
    assert "id_email_error" in email["aria-describedby"].split()
    assert find_all(html, "div", id="id_email_error", role="alert")
    password = find_all(html, "input", name="password1")[0]
    assert "id_password1_helptext" in password["aria-describedby"].split()
    assert dangling_describedby(html) == []
    assert unlabelled_controls(html) == []


# --- Error pages ---------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_address_shows_the_404_page_in_the_site_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_in_site_layout(html)
    assert "Page not found" in html
    assert find_all(html, "a", class_="button button-primary", href=reverse("home"))


@pytest.mark.parametrize(
    ("view", "status", "title"),
    [
        (errors.permission_denied, 403, "You can&#x27;t see this page"),
        (errors.page_not_found, 404, "Page not found"),
        (errors.server_error, 500, "Something went wrong"),
    ],
)
def test_error_pages_render_in_the_site_layout_without_the_database(view, status, title):
    # No db fixture: pytest-django makes any query here fail the test.
    response = view(RequestFactory().get("/broken/"))

    assert response.status_code == status
    html = response.content.decode()
    assert_in_site_layout(html)
    assert title in html


# --- allauth pages in our layout -----------------------------------------------------

ANONYMOUS_ACCOUNT_PAGES = [
    ("account_login", "Sign In"),
    ("account_signup", "Sign Up"),
    ("account_reset_password", "Password Reset"),
    ("account_email_verification_sent", "Verify Your Email Address"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "heading"), ANONYMOUS_ACCOUNT_PAGES)
def test_sign_in_pages_render_inside_the_site_layout(client, url_name, heading):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_site_layout(html)
    assert find_all(html, "div", class_="card auth-card")
    assert re.search(rf"<h1>\s*{heading}\s*</h1>", html)
    assert unlabelled_controls(html) == []
    assert dangling_describedby(html) == []


MEMBER_ACCOUNT_PAGES = [
    ("account_settings", "Your profile"),
    ("account_email", "Email Address"),
    ("account_change_password", "Change Password"),
    ("mfa_index", "Two-Factor Authentication"),
    ("mfa_activate_totp", "Activate Authenticator App"),
]


@pytest.mark.parametrize(("url_name", "heading"), MEMBER_ACCOUNT_PAGES)
def test_account_settings_pages_render_inside_the_site_layout_with_the_settings_menu(client, member, url_name, heading):
    client.force_login(member)
    # Activating an authenticator app asks for the password again first.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_site_layout(html)
    assert find_all(html, "nav", class_="subnav")
    current = find_all(html, "a", **{"aria-current": "page", "href": reverse(url_name)})
    assert current or url_name.startswith("mfa_")
    assert re.search(rf"<h1>\s*{heading}\s*</h1>", html)
    assert unlabelled_controls(html) == []
    assert dangling_describedby(html) == []


def test_the_password_prompt_before_sensitive_changes_renders_inside_the_site_layout(client, member):
    client.force_login(member)

    response = client.get(reverse("account_reauthenticate"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_site_layout(html)
    assert re.search(r"<h1>\s*Confirm Access\s*</h1>", html)
    assert unlabelled_controls(html) == []


def test_confirm_email_page_renders_inside_the_site_layout(client, db):
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from tests.factories import UserFactory

    newcomer = UserFactory(username="newcomer", verified=False)
    address = EmailAddress.objects.create(user=newcomer, email=newcomer.email, primary=True, verified=False)
    key = EmailConfirmationHMAC(address).key

    response = client.get(reverse("account_confirm_email", args=[key]))

    assert response.status_code == 200
    html = response.content.decode()
    assert_in_site_layout(html)
    assert find_all(html, "button", class_="button button-primary", type="submit")


# --- Colour contrast ------------------------------------------------------------------
#
# The palette lives in CSS custom properties: a light set on :root and a dark set
# in @media (prefers-color-scheme: dark). These tests resolve each set (var(),
# hex colours and color-mix() in srgb), with the brand colours from settings as
# /brand.css serves them, and check the pairs the stylesheet puts together.

TEXT = 4.5  # WCAG 1.4.3, normal-size text
NON_TEXT = 3.0  # WCAG 1.4.11, input borders and focus rings

CONTRAST_PAIRS = [
    ("--color-text", "--color-bg", TEXT),
    ("--color-text", "--color-surface", TEXT),
    ("--color-text", "--color-surface-muted", TEXT),
    ("--color-text-muted", "--color-bg", TEXT),
    ("--color-text-muted", "--color-surface", TEXT),
    ("--color-text-muted", "--color-surface-muted", TEXT),
    ("--color-link", "--color-bg", TEXT),
    ("--color-link", "--color-surface", TEXT),
    ("--color-link", "--color-primary-soft", TEXT),  # current settings tab, initials, step numbers
    ("--color-text", "--color-primary-soft", TEXT),  # info messages
    ("--color-text", "--color-danger-bg", TEXT),
    ("--color-text", "--color-success-bg", TEXT),
    ("--color-text", "--color-warning-bg", TEXT),
    ("--color-danger", "--color-surface", TEXT),  # field errors
    ("--color-danger", "--color-bg", TEXT),
    ("--color-on-primary", "--color-primary", TEXT),  # buttons, skip link, hero
    ("--color-on-primary", "--color-primary-hover", TEXT),
    ("--color-on-primary", "--color-accent", TEXT),  # the hero's gradient ends on the accent
    ("--color-on-accent", "--color-accent", TEXT),
    ("--color-on-danger", "--color-danger-solid", TEXT),
    ("--color-border-strong", "--color-surface", NON_TEXT),
    ("--color-focus", "--color-bg", NON_TEXT),
    ("--color-focus", "--color-surface", NON_TEXT),
]

STYLESHEET = settings.BASE_DIR / "static" / "css" / "rapport.css"
_DARK_BLOCK = re.compile(r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{\s*:root\s*\{(?P<body>[^}]*)\}\s*\}")
_ROOT_BLOCK = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
_DECLARATION = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")


def palette(scheme: str) -> dict[str, str]:
    """The custom properties in effect for a colour scheme, brand colours included."""
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    dark = _DARK_BLOCK.search(css)
    assert dark, "rapport.css has no dark :root block"
    light = _ROOT_BLOCK.search(css[: dark.start()])
    assert light, "rapport.css has no :root block"
    props = dict(_DECLARATION.findall(light["body"]))
    if scheme == "dark":
        props.update(_DECLARATION.findall(dark["body"]))
    props["--brand-primary"] = settings.RAPPORT_BRAND_PRIMARY
    props["--brand-accent"] = settings.RAPPORT_BRAND_ACCENT
    return props


def _split_arguments(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    parts.append(current.strip())
    return parts


def resolve(value: str, props: dict[str, str], depth: int = 0) -> tuple[float, float, float]:
    """A CSS colour value as sRGB components in 0..1."""
    assert depth < 20, f"custom properties refer to each other in a loop: {value}"
    value = value.strip()
    if match := re.fullmatch(r"var\(\s*(--[\w-]+)\s*(?:,(.*))?\)", value, flags=re.S):
        name, fallback = match.groups()
        if name in props:
            return resolve(props[name], props, depth + 1)
        assert fallback, f"{name} is not defined"
        return resolve(fallback, props, depth + 1)
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return tuple(int(value[i : i + 2], 16) / 255 for i in (1, 3, 5))
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return tuple(int(c * 2, 16) / 255 for c in value[1:])
    if match := re.fullmatch(r"color-mix\((.*)\)", value, flags=re.S):
        space, first, second = _split_arguments(match[1])
        assert space == "in srgb", f"only srgb mixing is modelled here: {value}"

        def colour_and_share(arg: str) -> tuple[str, float | None]:
            if m := re.fullmatch(r"(.*?)\s+([\d.]+)%", arg, flags=re.S):
                return m[1], float(m[2]) / 100
            return arg, None

        (a, pa), (b, pb) = colour_and_share(first), colour_and_share(second)
        if pa is None and pb is None:
            pa = pb = 0.5
        pa = 1 - pb if pa is None else pa
        pb = 1 - pa if pb is None else pb
        assert abs(pa + pb - 1) < 1e-9, f"shares must add up to 100%: {value}"
        ca, cb = resolve(a, props, depth + 1), resolve(b, props, depth + 1)
        return tuple(x * pa + y * pb for x, y in zip(ca, cb, strict=True))
    raise AssertionError(f"cannot read colour {value!r}")


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_ratio_matches_the_wcag_reference_values():
    assert contrast_ratio((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    assert contrast_ratio(resolve("#767676", {}), resolve("#ffffff", {})) == pytest.approx(4.54, abs=0.01)


def test_color_mix_is_read_like_a_browser_reads_it():
    props = {"--a": "#ffffff", "--b": "#000000"}
    assert resolve("color-mix(in srgb, var(--a) 25%, var(--b))", props) == pytest.approx((0.25, 0.25, 0.25))
    assert resolve("color-mix(in srgb, var(--a), #000)", props) == pytest.approx((0.5, 0.5, 0.5))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_colour_pair_the_stylesheet_uses_is_readable(scheme):
    props = palette(scheme)
    failures = []
    for foreground, background, minimum in CONTRAST_PAIRS:
        ratio = contrast_ratio(resolve(props[foreground], props), resolve(props[background], props))
        if ratio < minimum:
            failures.append(f"{foreground} on {background}: {ratio:.2f} < {minimum}")
    assert failures == [], f"{scheme} scheme"


def test_the_dark_scheme_really_overrides_the_light_one():
    light, dark = palette("light"), palette("dark")
    for name in ("--color-bg", "--color-surface", "--color-text", "--color-link"):
        assert resolve(light[name], light) != resolve(dark[name], dark), name
