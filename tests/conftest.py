"""Shared fixtures: personas, and the rules for tests that need real services.

Tests marked postgres / redis / rabbitmq / worker / browser skip with a reason
on a laptop without those services. Under CI=true any skip is turned into a
failure, so CI can never go green while silently not testing the real stack.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from functools import cache as once
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from kombu import Connection

from config.settings.env import redis_url_with_db
from tests.brokers import use_broker
from tests.browser.chromium import CHROMIUM
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# The RabbitMQ the tests marked rabbitmq use (.ci/run sets it); the tests' Redis broker is REDIS_URL's database 15.
AMQP_URL = os.environ.get("RAPPORT_TEST_AMQP_URL", "")


@once
def _rabbitmq_missing() -> str | None:
    if not AMQP_URL:
        return "needs RabbitMQ: set RAPPORT_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672//"
    connection = Connection(AMQP_URL, connect_timeout=3)
    try:
        connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - whatever stops the connection, the reason is reported
        return f"needs RabbitMQ, which does not answer at {connection.as_uri()}: {exc}"
    finally:
        connection.release()
    return None


def _service_missing(marker: str) -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if marker == "postgres" and engine != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://..."
    if marker == "rabbitmq":
        return _rabbitmq_missing()
    if marker == "worker" and not settings.REDIS_URL:
        return "needs a real Celery worker, which needs Redis: set REDIS_URL=redis://..."
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "rabbitmq", "worker", "browser"):
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


@pytest.fixture(
    params=[
        pytest.param("redis", id="redis"),
        pytest.param("amqp", id="amqp", marks=pytest.mark.rabbitmq),
    ]
)
def broker(request) -> str:
    """The broker a real-worker test runs on: every such test runs on Redis and again on RabbitMQ."""
    if request.param == "amqp":
        return AMQP_URL
    return redis_url_with_db(settings.REDIS_URL, 15)


@pytest.fixture
def celery_worker_process(broker):
    """A real `celery worker` process on the test broker, stopped after the test.

    It runs with the test settings and the same environment, so it talks to the
    same Redis cache (and, with `transactional_db`, the same test database), on
    the broker the `broker` fixture chose; this process sends there too.
    """
    from config.celery import app

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", RAPPORT_TEST_BROKER_URL=broker)
    # Celery would prefer these to the settings, and so to RAPPORT_TEST_BROKER_URL.
    for name in ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL"):
        env.pop(name, None)
    db_name = settings.DATABASES["default"]["NAME"]
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Point the worker at the test database pytest-django created.
        url = os.environ.get("DATABASE_URL", "")
        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db_name
    root = Path(__file__).resolve().parent.parent
    with use_broker(broker):
        app.control.purge()
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
