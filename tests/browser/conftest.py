"""Playwright fixtures: a Debian Chromium driving pytest-django's live_server.

`page` is a fresh browser tab (its own context, so no cookies carry over) with
`base_url` set to the live server; `page_problems` collects what went wrong
while it was open: console errors, uncaught exceptions, Content-Security-Policy
violations, and requests that failed or answered 4xx/5xx. Parametrize a test
over `color_scheme` to run it in the dark scheme too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.browser.chromium import CHROMIUM, LAUNCH_ARGS

VIEWPORT = {"width": 1280, "height": 800}

# Reported through a binding rather than read from the page afterwards, so
# violations on pages the test has already navigated away from still count.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline code"} in ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@dataclass
class PageProblems:
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.console_errors, *self.csp_violations, *self.failed_requests]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    # Playwright's sync API keeps an asyncio loop in the test thread, and Django
    # refuses ORM calls from a thread with a loop. The tests' own queries are
    # plain synchronous ones, so allowing them is safe while the loop lives —
    # and only then: per module, so the switch never leaks into other tests or
    # the processes they start (check --deploy warns about it).
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def color_scheme() -> str:
    return "light"


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, live_server, color_scheme, page_problems):
    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme, viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    context.expose_function("reportCspViolation", lambda report: page_problems.csp_violations.append(report))
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()

    def on_console(message) -> None:
        if message.type == "error":
            page_problems.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_response(response) -> None:
        if response.status >= 400:
            page_problems.failed_requests.append(f"{response.status} {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page_problems.console_errors.append(f"uncaught: {error}"))

    def on_request_failed(request) -> None:
        # net::ERR_ABORTED is the browser cancelling a load itself, e.g. the favicon of a page the test
        # already left; it says nothing about the site. Blocked, refused or broken loads still count.
        if request.failure != "net::ERR_ABORTED":
            page_problems.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign a member in through the login form, as a person would."""
    from playwright.sync_api import expect

    def _sign_in(username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username or email").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        expect(page.locator(".site-header .member-menu summary")).to_contain_text(username)
        # The menu is in the page before its stylesheets and scripts are: going on at once would
        # abort those, and page_problems would count the aborted requests as failures.
        page.wait_for_load_state("load")

    return _sign_in
