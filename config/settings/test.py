"""Test settings: the same stack as production where the services exist."""

from __future__ import annotations

from config.settings.base import *  # noqa: F403
from config.settings.base import REDIS_URL
from config.settings.env import env_str, redis_url_with_db

SECRET_KEY = "test-only-not-secret"  # noqa: S105 - tests only
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
STATIC_ROOT = None  # served from the finders; nothing is collected for tests

# Tests flush the cache between cases, so they get their own Redis database
# and never touch the broker's queues (database 15 is the tests' broker).
# RAPPORT_TEST_BROKER_URL points the tests at another broker (RabbitMQ): the
# real-worker tests give it to their worker process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": redis_url_with_db(REDIS_URL, 14),
        }
    }
    CELERY_BROKER_URL = env_str("RAPPORT_TEST_BROKER_URL", redis_url_with_db(REDIS_URL, 15))
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = env_str("RAPPORT_TEST_BROKER_URL", "memory://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
