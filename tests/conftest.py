"""Shared fixtures: personas, and the rules for tests that need real services.

Tests marked postgres / redis / worker / browser skip with a reason on a
laptop without those services. Under CI=true any skip is turned into a
failure, so CI can never go green while silently not testing the real stack.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.browser.chromium import CHROMIUM
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _service_missing(marker: str) -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if marker == "postgres" and engine != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "worker" and not settings.REDIS_URL:
        return "needs a real Celery worker, which needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "worker", "browser"):
        if item.get_closest_marker(marker):
            reason = _service_missing(marker)
            if reason:
                pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"Skipped in CI, which must exercise the real stack: {reason}"


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and cached fragments must not leak from one test to the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_member(db):
    return UserFactory(username="bob")


@pytest.fixture
def staff(db):
    return UserFactory(username="sam", is_staff=True)


def _in_group(user, group_name: str):
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    return user


@pytest.fixture
def moderator(db):
    """A member of the "Moderators" group. The group has no permissions yet: the moderation work gives it its own."""
    return _in_group(UserFactory(username="mona"), "Moderators")


@pytest.fixture
def marketer(db):
    """A member of the "Marketers" group. The group has no permissions yet: the insights work gives it its own."""
    return _in_group(UserFactory(username="mark"), "Marketers")


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def celery_worker_process():
    """A real `celery worker` process on the test broker, stopped after the test.

    It runs with the test settings and the same environment, so it talks to the
    same Redis (and, with `transactional_db`, the same test database).
    """
    from config.celery import app

    app.control.purge()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    db_name = settings.DATABASES["default"]["NAME"]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Point the worker at the test database pytest-django created.
        url = os.environ.get("DATABASE_URL", "")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db_name
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            "interactive,mining",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited early:\n{process.stdout.read()}")
        if app.control.ping(timeout=0.5):
            break
    else:
        process.kill()
        pytest.fail("the Celery worker did not answer a ping within 60 s")
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
