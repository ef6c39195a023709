"""Production settings for bench/member_http.py, plus a trivial view to compare pages with.

Everything else (DEBUG off, SECRET_KEY, ALLOWED_HOSTS, SECURE_SSL_REDIRECT,
DATABASE_URL, REDIS_URL) comes from the environment, as in production. Only the
URLconf differs, to add the trivial view, and the static root, so collected
files go to a scratch folder.
"""

from __future__ import annotations

import os

from config.settings.prod import *  # noqa: F403 (production's settings, overridden below)

ROOT_URLCONF = "bench.http_urls"
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
MIDDLEWARE = ["bench.http_timing.ServerTiming", *MIDDLEWARE]  # noqa: F405
