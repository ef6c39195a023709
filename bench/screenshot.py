"""Take docs/screenshot.png: the home page at 1280x800 in the light colour scheme.

    .venv/bin/python bench/screenshot.py
    .venv/bin/python bench/screenshot.py --path /accounts/signup/ --scheme dark --output signup-dark.png

The site is served in-process by Django's live test server, as the browser
tests do: the test settings, a fresh in-memory SQLite database filled with the
`make run` demo community (--empty leaves it out), and static files straight
from the app folders. So nothing needs to be running or collected, and neither
var/ nor any DATABASE_URL / REDIS_URL in the environment is touched. The
system Chromium (/usr/bin/chromium, or $CHROMIUM) takes the picture through
Playwright.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import LAUNCH_ARGS  # noqa: E402 - the browser tests' flags, from the repository root

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Variables that would point the throwaway site at shared services.
SHARED_SERVICES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "S3_BUCKET")


def take_screenshot(base_url: str, *, path: str, scheme: str, output: Path, width: int, height: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
            page = context.new_page()
            page.goto(base_url + path, wait_until="networkidle")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(output))
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", default="/", help="page to capture (default: the home page)")
    parser.add_argument("--scheme", choices=["light", "dark"], default="light")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--empty", action="store_true", help="no demo content: the page a new site shows")
    args = parser.parse_args()

    for name in SHARED_SERVICES:
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.staticfiles.testing import StaticLiveServerTestCase
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    class Site(StaticLiveServerTestCase):
        """Only its server thread is used; no test runs."""

    setup_test_environment()
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if not args.empty:
            from community.demo.content import demo_content_create

            demo_content_create()
        Site.setUpClass()
        try:
            take_screenshot(
                Site.live_server_url,
                path=args.path,
                scheme=args.scheme,
                output=args.output,
                width=args.width,
                height=args.height,
            )
        finally:
            Site.tearDownClass()
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
        teardown_test_environment()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
