"""Settings read from the environment: bad values stop start-up naming the
variable, production passes `check --deploy`, and every variable is documented.

Start-up is tested in a child process, as a deployment would start, so the
settings module is imported fresh with exactly the environment given.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "config" / "settings"

# Read by Django itself (manage.py, wsgi.py, celery.py), not by the settings.
BOOTSTRAP_NAMES = {"DJANGO_SETTINGS_MODULE"}
# Read only by the test settings (RAPPORT_TEST_BROKER_URL): a deployment never sets them, so they are
# documented with `make test` in the README, not in .env.example or the configuration table.
TEST_ONLY_PREFIX = "RAPPORT_TEST_"

# Records every name the settings modules look up through os.environ.get,
# counting only calls made from config/settings/ (not from libraries).
_RECORD_READS = r"""
import importlib, json, os, sys
settings_dir = os.path.join(os.getcwd(), "config", "settings")
seen = set()
original_get = os.environ.get
def recording_get(key, default=None):
    if sys._getframe(1).f_code.co_filename.startswith(settings_dir):
        seen.add(key)
    return original_get(key, default)
os.environ.get = recording_get
for module in sys.argv[1:]:
    importlib.import_module(module)
print(json.dumps(sorted(seen)))
"""


@functools.cache
def settings_environment_names() -> frozenset[str]:
    """Every environment variable config/settings/*.py reads.

    Two sources, so neither a computed name (SOCIAL_{prefix}_SECRET) nor a
    read inside a branch the recording run does not take is missed: the names
    written literally in a call to an env_* helper, and the names actually
    looked up while importing every settings module with the optional
    branches (PostgreSQL, Redis, S3) switched on.
    """
    literal = set()
    for path in SETTINGS_DIR.glob("*.py"):
        literal.update(re.findall(r'env_[a-z_]+\(\s*"([A-Z][A-Z0-9_]*)"', path.read_text(encoding="utf-8")))
    modules = sorted(
        f"config.settings.{p.stem}" for p in SETTINGS_DIR.glob("*.py") if p.stem not in {"__init__", "env"}
    )
    with tempfile.TemporaryDirectory() as data_dir:
        child_env = {k: v for k, v in os.environ.items() if k not in literal and k != "DJANGO_SETTINGS_MODULE"}
        child_env.update(
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL="postgres://rapport@db.invalid:5432/rapport",
            REDIS_URL="redis://cache.invalid:6379/0",
            S3_BUCKET="example-bucket",
            RAPPORT_DATA_DIR=data_dir,
        )
        result = subprocess.run(
            [sys.executable, "-c", _RECORD_READS, *modules],
            cwd=ROOT,
            env=child_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    return frozenset(literal | set(json.loads(result.stdout)))


def deployment_names() -> set[str]:
    """The variables a deployment may set: every one the settings read but the tests' own."""
    return {name for name in settings_environment_names() if not name.startswith(TEST_ONLY_PREFIX)}


def clean_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without anything the settings read, plus overrides."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is a test-process switch (browser tests); a deployment never has it.
    strip = settings_environment_names() | BOOTSTRAP_NAMES | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    child_env = {k: v for k, v in os.environ.items() if k not in strip}
    child_env.update(overrides)
    return child_env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def strong_secret_key() -> str:
    return secrets.token_urlsafe(50)


# --- The helpers in config/settings/env.py ------------------------------------


class TestEnvStr:
    def test_returns_the_value_when_set(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_VALUE", "hello")
        assert env.env_str("RAPPORT_TEST_VALUE", "default") == "hello"

    @pytest.mark.parametrize("value", [None, ""])
    def test_an_unset_or_empty_variable_gives_the_default(self, monkeypatch, value):
        if value is None:
            monkeypatch.delenv("RAPPORT_TEST_VALUE", raising=False)
        else:
            monkeypatch.setenv("RAPPORT_TEST_VALUE", value)
        assert env.env_str("RAPPORT_TEST_VALUE", "default") == "default"
        assert env.env_str("RAPPORT_TEST_VALUE") is None

    def test_a_required_variable_that_is_missing_names_itself(self, monkeypatch):
        monkeypatch.delenv("RAPPORT_TEST_VALUE", raising=False)
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_VALUE must be set"):
            env.env_str("RAPPORT_TEST_VALUE", required=True)


class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " yes "])
    def test_true_spellings(self, monkeypatch, value):
        monkeypatch.setenv("RAPPORT_TEST_FLAG", value)
        assert env.env_bool("RAPPORT_TEST_FLAG", False) is True

    @pytest.mark.parametrize("value", ["0", "false", "No", "OFF", ""])
    def test_false_spellings(self, monkeypatch, value):
        monkeypatch.setenv("RAPPORT_TEST_FLAG", value)
        assert env.env_bool("RAPPORT_TEST_FLAG", True) is False

    def test_unset_gives_the_default(self, monkeypatch):
        monkeypatch.delenv("RAPPORT_TEST_FLAG", raising=False)
        assert env.env_bool("RAPPORT_TEST_FLAG", True) is True

    @pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
    def test_anything_else_is_refused_naming_the_variable(self, monkeypatch, value):
        monkeypatch.setenv("RAPPORT_TEST_FLAG", value)
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_FLAG must be a boolean"):
            env.env_bool("RAPPORT_TEST_FLAG", False)


class TestEnvInt:
    def test_parses_a_whole_number(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_NUMBER", " 42 ")
        assert env.env_int("RAPPORT_TEST_NUMBER", 1) == 42

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_unset_or_blank_gives_the_default(self, monkeypatch, value):
        if value is None:
            monkeypatch.delenv("RAPPORT_TEST_NUMBER", raising=False)
        else:
            monkeypatch.setenv("RAPPORT_TEST_NUMBER", value)
        assert env.env_int("RAPPORT_TEST_NUMBER", 7) == 7

    @pytest.mark.parametrize("value", ["2MB", "1.5", "ten"])
    def test_a_non_number_is_refused_naming_the_variable(self, monkeypatch, value):
        monkeypatch.setenv("RAPPORT_TEST_NUMBER", value)
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_NUMBER must be a whole number"):
            env.env_int("RAPPORT_TEST_NUMBER", 1)

    def test_a_number_below_the_minimum_is_refused(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_NUMBER", "-1")
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_NUMBER must be at least 0"):
            env.env_int("RAPPORT_TEST_NUMBER", 1, minimum=0)


class TestEnvList:
    def test_splits_on_commas_and_drops_blanks(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_LIST", " a.example.com, ,b.example.com,")
        assert env.env_list("RAPPORT_TEST_LIST", []) == ["a.example.com", "b.example.com"]

    def test_an_empty_value_is_an_empty_list_not_the_default(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_LIST", "")
        assert env.env_list("RAPPORT_TEST_LIST", ["default"]) == []

    def test_unset_gives_a_copy_of_the_default(self, monkeypatch):
        monkeypatch.delenv("RAPPORT_TEST_LIST", raising=False)
        default = ["localhost"]
        result = env.env_list("RAPPORT_TEST_LIST", default)
        assert result == default
        assert result is not default


class TestEnvColour:
    def test_accepts_a_six_digit_hex_colour_and_lowercases_it(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_COLOUR", "#A1B2C3")
        assert env.env_colour("RAPPORT_TEST_COLOUR", "#000000") == "#a1b2c3"

    @pytest.mark.parametrize("value", ["blue", "#fff", "a1b2c3", "#a1b2c3;}", "#a1b2c3 "])
    def test_anything_else_is_refused_naming_the_variable(self, monkeypatch, value):
        # The colour lands in a stylesheet, so nothing but #rrggbb may pass.
        monkeypatch.setenv("RAPPORT_TEST_COLOUR", value)
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_COLOUR must be a colour"):
            env.env_colour("RAPPORT_TEST_COLOUR", "#000000")


class TestEnvChoice:
    def test_accepts_a_listed_value(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_CHOICE", "optional")
        assert env.env_choice("RAPPORT_TEST_CHOICE", "mandatory", ["mandatory", "optional"]) == "optional"

    def test_refuses_an_unlisted_value_listing_the_choices(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_CHOICE", "sometimes")
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_CHOICE must be one of mandatory, optional"):
            env.env_choice("RAPPORT_TEST_CHOICE", "mandatory", ["mandatory", "optional"])


class TestEnvDatabase:
    def test_postgres_url(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_DB", "postgres://rapport:p%40ss@db.example.com:5433/community")
        config = env.env_database("RAPPORT_TEST_DB", "sqlite:///x.sqlite3")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.com", 5433, "community")
        assert (config["USER"], config["PASSWORD"]) == ("rapport", "p@ss")

    def test_unset_gives_the_sqlite_default(self, monkeypatch):
        monkeypatch.delenv("RAPPORT_TEST_DB", raising=False)
        config = env.env_database("RAPPORT_TEST_DB", "sqlite:////tmp/rapport-test.sqlite3")
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["NAME"] == "/tmp/rapport-test.sqlite3"  # noqa: S108 - parsed, never opened

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("mysql://rapport@db/rapport", "must point at PostgreSQL or SQLite"),
            ("http://db.example.com/rapport", "is not a usable database URL"),
            ("nonsense", "is not a usable database URL"),
            ("postgres://rapport@db.example.com", "must name the database"),
        ],
    )
    def test_refuses_other_databases_and_garbage_naming_the_variable(self, monkeypatch, url, message):
        monkeypatch.setenv("RAPPORT_TEST_DB", url)
        with pytest.raises(ImproperlyConfigured, match=f"RAPPORT_TEST_DB {message}"):
            env.env_database("RAPPORT_TEST_DB", "sqlite:///x.sqlite3")


class TestEnvRedisUrl:
    @pytest.mark.parametrize("url", ["redis://localhost:6379/0", "rediss://:secret@cache.example.com:6380/1"])
    def test_accepts_redis_urls(self, monkeypatch, url):
        monkeypatch.setenv("RAPPORT_TEST_REDIS", url)
        assert env.env_redis_url("RAPPORT_TEST_REDIS") == url

    def test_unset_means_no_redis(self, monkeypatch):
        monkeypatch.delenv("RAPPORT_TEST_REDIS", raising=False)
        assert env.env_redis_url("RAPPORT_TEST_REDIS") is None

    @pytest.mark.parametrize("url", ["http://localhost:6379", "localhost:6379", "memcached://x"])
    def test_refuses_other_schemes_naming_the_variable(self, monkeypatch, url):
        monkeypatch.setenv("RAPPORT_TEST_REDIS", url)
        with pytest.raises(ImproperlyConfigured, match="RAPPORT_TEST_REDIS must start with redis://"):
            env.env_redis_url("RAPPORT_TEST_REDIS")

    def test_redis_url_with_db_swaps_only_the_database_number(self):
        assert env.redis_url_with_db("redis://:pw@cache:6379/0", 14) == "redis://:pw@cache:6379/14"
        assert env.redis_url_with_db("rediss://cache", 15) == "rediss://cache/15"


class TestEnvEmail:
    def test_console_and_locmem_backends(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_EMAIL", "locmem://")
        assert env.env_email("RAPPORT_TEST_EMAIL", "console://") == {
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"
        }
        monkeypatch.delenv("RAPPORT_TEST_EMAIL")
        assert env.env_email("RAPPORT_TEST_EMAIL", "console://") == {
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
        }

    def test_smtp_on_587_uses_starttls_and_decodes_credentials(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_EMAIL", "smtp://mailer%40example.com:p%2Fss@mail.example.com:587")
        config = env.env_email("RAPPORT_TEST_EMAIL", "console://")
        assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
        assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.com", 587)
        assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("mailer@example.com", "p/ss")
        assert (config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (True, False)

    def test_smtp_without_a_port_is_plain_port_25_unless_asked_for_tls(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_EMAIL", "smtp://relay.internal")
        config = env.env_email("RAPPORT_TEST_EMAIL", "console://")
        assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (25, False, False)
        monkeypatch.setenv("RAPPORT_TEST_EMAIL", "smtp://relay.internal:2525?tls=1")
        config = env.env_email("RAPPORT_TEST_EMAIL", "console://")
        assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (2525, True)

    def test_smtps_is_implicit_tls_on_465(self, monkeypatch):
        monkeypatch.setenv("RAPPORT_TEST_EMAIL", "smtps://user:pw@mail.example.com")
        config = env.env_email("RAPPORT_TEST_EMAIL", "console://")
        assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (465, True, False)

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("pop3://mail.example.com", "must start with smtp://"),
            ("mail.example.com", "must start with smtp://"),
            ("smtp://", "must name a host"),
            ("smtp://mail.example.com:abc", "has an invalid port"),
        ],
    )
    def test_refuses_bad_urls_naming_the_variable(self, monkeypatch, url, message):
        monkeypatch.setenv("RAPPORT_TEST_EMAIL", url)
        with pytest.raises(ImproperlyConfigured, match=f"RAPPORT_TEST_EMAIL {message}"):
            env.env_email("RAPPORT_TEST_EMAIL", "console://")


# --- Start-up with a bad environment --------------------------------------------

PROD = "config.settings.prod"
DEV = "config.settings.dev"
POSTGRES_URL = "postgres://rapport@db.invalid:5432/rapport"


BAD_VALUES = [
    (DEV, {"DEBUG": "maybe"}, "DEBUG"),
    (DEV, {"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    (DEV, {"DATABASE_URL": "postgres://db.invalid"}, "DATABASE_URL"),
    (DEV, {"DATABASE_URL": POSTGRES_URL, "DATABASE_CONN_MAX_AGE": "-1"}, "DATABASE_CONN_MAX_AGE"),
    (DEV, {"REDIS_URL": "http://x"}, "REDIS_URL"),
    (DEV, {"TIME_ZONE": "Mars/Base"}, "TIME_ZONE"),
    (DEV, {"RAPPORT_BRAND_PRIMARY": "blue"}, "RAPPORT_BRAND_PRIMARY"),
    (DEV, {"RAPPORT_BRAND_ACCENT": "#12345"}, "RAPPORT_BRAND_ACCENT"),
    (DEV, {"EMAIL_URL": "pop3://x"}, "EMAIL_URL"),
    (DEV, {"EMAIL_URL": "smtp://mail.example.com:abc"}, "EMAIL_URL"),
    (DEV, {"SOCIAL_GITHUB_CLIENT_ID": "abc123"}, "SOCIAL_GITHUB_CLIENT_ID"),
    (DEV, {"SOCIAL_GOOGLE_SECRET": "abc123"}, "SOCIAL_GOOGLE_SECRET"),
    (DEV, {"ACCOUNT_EMAIL_VERIFICATION": "sometimes"}, "ACCOUNT_EMAIL_VERIFICATION"),
    (DEV, {"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    (DEV, {"AVATAR_MAX_BYTES": "2MB"}, "AVATAR_MAX_BYTES"),
    (DEV, {"CELERY_TASK_TIME_LIMIT": "0"}, "CELERY_TASK_TIME_LIMIT"),
    (DEV, {"CELERY_VISIBILITY_TIMEOUT": "5m"}, "CELERY_VISIBILITY_TIMEOUT"),
    (DEV, {"CELERY_TASK_TIME_LIMIT": "241"}, "CELERY_VISIBILITY_TIMEOUT"),
    (DEV, {"CELERY_VISIBILITY_TIMEOUT": "149"}, "CELERY_TASK_TIME_LIMIT"),
    (DEV, {"S3_BUCKET": "media", "S3_QUERYSTRING_AUTH": "perhaps"}, "S3_QUERYSTRING_AUTH"),
    (PROD, {"SECURE_SSL_REDIRECT": "sure"}, "SECURE_SSL_REDIRECT"),
    (PROD, {"SECURE_HSTS_SECONDS": "-1"}, "SECURE_HSTS_SECONDS"),
]


@pytest.mark.parametrize(
    ("settings_module", "bad", "named"),
    [
        pytest.param(*case, id=f"{case[0].rsplit('.', 1)[1]}:{','.join(f'{k}={v}' for k, v in case[1].items())}")
        for case in BAD_VALUES
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(tmp_path, settings_module, bad, named):
    child_env = clean_environment(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY=strong_secret_key(),
        RAPPORT_DATA_DIR=str(tmp_path),
        **bad,
    )
    result = run_manage("check", env=child_env)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in last_line(result.stderr), result.stderr
    assert named in last_line(result.stderr), result.stderr


def test_the_same_start_up_succeeds_without_the_bad_value(tmp_path):
    # Guards the test above: its failures come from the values, not the set-up.
    child_env = clean_environment(DJANGO_SETTINGS_MODULE=DEV, RAPPORT_DATA_DIR=str(tmp_path))
    result = run_manage("check", env=child_env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, 300),
        ({"CELERY_TASK_TIME_LIMIT": "240"}, 300),  # control for the refusals above: exactly the margin fits
        ({"CELERY_VISIBILITY_TIMEOUT": "900", "CELERY_TASK_TIME_LIMIT": "600"}, 900),
    ],
    ids=["default", "limit-at-the-margin", "both-raised"],
)
def test_the_redis_broker_s_visibility_timeout_comes_from_the_environment(tmp_path, overrides, expected):
    values = settings_values(
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        env=clean_environment(
            DJANGO_SETTINGS_MODULE=DEV,
            RAPPORT_DATA_DIR=str(tmp_path),
            REDIS_URL="redis://cache.invalid:6379/0",
            **overrides,
        ),
    )
    assert values["CELERY_BROKER_TRANSPORT_OPTIONS"] == {"visibility_timeout": expected}


# --- Production settings ---------------------------------------------------------


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    child_env = clean_environment(
        DJANGO_SETTINGS_MODULE=PROD,
        SECRET_KEY=strong_secret_key(),
        ALLOWED_HOSTS="community.example.com",
        RAPPORT_DATA_DIR=str(tmp_path),
    )
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=child_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in result.stdout, output
    assert "WARNINGS" not in output


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "too-short", "a" * 60],
    ids=["unset", "empty", "short", "not-random"],
)
def test_production_refuses_to_start_without_a_strong_secret_key(tmp_path, secret_key):
    child_env = clean_environment(
        DJANGO_SETTINGS_MODULE=PROD,
        ALLOWED_HOSTS="community.example.com",
        RAPPORT_DATA_DIR=str(tmp_path),
    )
    if secret_key is not None:
        child_env["SECRET_KEY"] = secret_key
    result = run_manage("check", env=child_env)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured: SECRET_KEY" in last_line(result.stderr), result.stderr


_PRINT_SETTINGS = r"""
import json, sys
import django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}, default=str))
"""


def settings_values(*names: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _PRINT_SETTINGS, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_ignores_a_debug_flag_and_keeps_https_only_defaults(tmp_path):
    values = settings_values(
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
        env=clean_environment(
            DJANGO_SETTINGS_MODULE=PROD,
            SECRET_KEY=strong_secret_key(),
            DEBUG="true",
            RAPPORT_DATA_DIR=str(tmp_path),
        ),
    )
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https",
    }


def test_debug_is_off_unless_set_outside_development(tmp_path):
    # base.py is what every non-development module builds on.
    values = settings_values(
        "DEBUG",
        env=clean_environment(DJANGO_SETTINGS_MODULE="config.settings.base", RAPPORT_DATA_DIR=str(tmp_path)),
    )
    assert values == {"DEBUG": False}


# --- Every variable is documented ----------------------------------------------


def test_the_discovery_of_variables_finds_the_ones_we_know():
    # If this fails, the two tests below would pass for the wrong reason.
    names = settings_environment_names()
    assert {
        "SECRET_KEY",
        "DATABASE_URL",
        "DATABASE_CONN_MAX_AGE",
        "REDIS_URL",
        "SOCIAL_GITHUB_CLIENT_ID",
        "SOCIAL_TWITTER_SECRET",
        "S3_SECRET_ACCESS_KEY",
        "SECURE_HSTS_SECONDS",
        "RAPPORT_DATA_DIR",
    } <= names


def _env_example_names() -> set[str]:
    """Names assigned in .env.example, whether the line is active or commented out."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_env_example_lists_every_variable_the_settings_read():
    missing = deployment_names() - _env_example_names()
    assert not missing, f".env.example does not mention {sorted(missing)}"


def test_env_example_lists_nothing_the_project_does_not_read():
    compose_names = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    stale = _env_example_names() - settings_environment_names() - compose_names
    assert not stale, f".env.example sets {sorted(stale)}, which neither the settings nor docker-compose.yml read"


def test_env_example_contains_no_secret_values():
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and is_secret_name(match.group(1)):
            assert match.group(2) == "", f"{match.group(1)} must be left blank in .env.example"


def is_secret_name(name: str) -> bool:
    """SECRET_KEY, SOCIAL_*_SECRET, S3_SECRET_ACCESS_KEY, POSTGRES_PASSWORD (not RATE_LIMIT_RESET_PASSWORD)."""
    return bool(re.search(r"SECRET|PASSWORD$", name)) and not name.startswith("RATE_LIMIT_")


def _env_example_assignments(*, active_only: bool) -> dict[str, str]:
    pattern = r"^([A-Z][A-Z0-9_]*)=(.*)$" if active_only else r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$"
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(pattern, text, flags=re.MULTILINE))


def _fill_blank_secrets(values: dict[str, str]) -> dict[str, str]:
    filled = dict(values)
    for name, value in values.items():
        if not value and is_secret_name(name):
            filled[name] = strong_secret_key()
    return filled


def test_the_active_lines_of_env_example_pass_check_deploy_once_the_secrets_are_filled_in(tmp_path):
    values = _fill_blank_secrets(_env_example_assignments(active_only=True))
    child_env = clean_environment(DJANGO_SETTINGS_MODULE=PROD, RAPPORT_DATA_DIR=str(tmp_path), **values)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=child_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output


def test_every_example_value_in_env_example_is_accepted_by_the_settings(tmp_path):
    # Uncommenting any line of .env.example must not break start-up.
    values = _fill_blank_secrets(_env_example_assignments(active_only=False))
    values["RAPPORT_DATA_DIR"] = str(tmp_path)
    child_env = clean_environment(DJANGO_SETTINGS_MODULE=PROD, **values)
    result = run_manage("check", env=child_env)
    assert result.returncode == 0, result.stderr


def _readme_configuration_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_the_readme_configuration_table_lists_every_variable():
    missing = deployment_names() - _readme_configuration_names()
    assert not missing, f"README.md's configuration table does not list {sorted(missing)}"


def test_the_readme_configuration_table_lists_nothing_the_settings_do_not_read():
    stale = _readme_configuration_names() - settings_environment_names() - BOOTSTRAP_NAMES
    assert not stale, f"README.md's configuration table lists {sorted(stale)}, which the settings do not read"


def test_the_readme_s_make_test_section_names_every_variable_only_the_tests_read():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n### `make test`", 1)[1].split("\n## ", 1)[0]
    test_only = settings_environment_names() - deployment_names()
    assert "RAPPORT_TEST_BROKER_URL" in test_only  # the rule below has something to check
    missing = {name for name in test_only if f"`{name}" not in section}
    assert not missing, f"README.md's `make test` section does not mention {sorted(missing)}"


def test_a_brand_colour_too_light_for_white_text_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.settings.env import env_brand_colour

    monkeypatch.setenv("RAPPORT_BRAND_PRIMARY", "#ffcc00")
    with pytest.raises(ImproperlyConfigured, match=r"RAPPORT_BRAND_PRIMARY=#ffcc00 is too light .* 1\.51:1"):
        env_brand_colour("RAPPORT_BRAND_PRIMARY", "#1f5fbf")
    monkeypatch.setenv("RAPPORT_BRAND_PRIMARY", "#1F5FBF")
    assert env_brand_colour("RAPPORT_BRAND_PRIMARY", "#000000") == "#1f5fbf"


# --- The default broker ---------------------------------------------------------------

_CONNECT_TO_BROKER = """
import logging, django
django.setup()
from config.celery import app
logging.basicConfig(level=logging.WARNING)
with app.connection_for_write() as connection:
    print(connection.transport_cls, connection.as_uri())
"""


@pytest.mark.parametrize(
    ("broker", "warns"),
    [(None, False), ("filesystem://", True)],
    ids=["default", "hostless-url-set-by-hand"],
)
def test_the_default_folder_broker_connects_without_kombus_hostname_warning(tmp_path, broker, warns):
    # The filesystem transport has no host: kombu's "No hostname was supplied" is a false alarm it raises
    # for a URL without one. The default names localhost; the hand-set control shows the check can see it.
    overrides = {"DJANGO_SETTINGS_MODULE": DEV, "RAPPORT_DATA_DIR": str(tmp_path)}
    if broker:
        overrides["CELERY_BROKER_URL"] = broker
    result = subprocess.run(
        [sys.executable, "-c", _CONNECT_TO_BROKER],
        cwd=ROOT,
        env=clean_environment(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("filesystem ")
    assert ("No hostname was supplied" in result.stderr) is warns
