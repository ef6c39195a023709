"""Local development: the `make run` default (SQLite, no Redis unless set)."""

from __future__ import annotations

import secrets

from config.settings.base import *  # noqa: F403
from config.settings.base import DATA_DIR, SECRET_KEY, env_bool

DEBUG = env_bool("DEBUG", True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

if not SECRET_KEY:
    # Generate once and keep it in the ignored data folder, so sessions
    # survive restarts without a secret ever entering the repository.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

# Static files come straight from the app and static/ folders (whitenoise's
# finders); there is nothing collected to look for.
STATIC_ROOT = None
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
