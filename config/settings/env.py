"""Small, strict readers for environment variables.

Each helper raises ImproperlyConfigured naming the variable, so a typo in a
deployment fails at start-up instead of surfacing as odd behaviour later.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The text search configurations PostgreSQL ships (pg_ts_config of a new PostgreSQL 15 cluster).
TEXT_SEARCH_CONFIGS = (
    "arabic",
    "armenian",
    "basque",
    "catalan",
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "greek",
    "hindi",
    "hungarian",
    "indonesian",
    "irish",
    "italian",
    "lithuanian",
    "nepali",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "serbian",
    "simple",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
    "yiddish",
)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false, 1/0, yes/no, on/off), got {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_colour(name: str, default: str) -> str:
    value = env_str(name, default)
    if not _HEX_COLOUR.match(value or ""):
        raise ImproperlyConfigured(f"{name} must be a colour like #1f5fbf, got {value!r}.")
    return value.lower()


def _relative_luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    """WCAG contrast ratio of white text on this colour."""
    return 1.05 / (_relative_luminance(hex_colour) + 0.05)


def env_brand_colour(name: str, default: str) -> str:
    """A brand colour that white text stays readable on (WCAG AA, 4.5:1)."""
    colour = env_colour(name, default)
    ratio = contrast_with_white(colour)
    if ratio < 4.5:
        raise ImproperlyConfigured(
            f"{name}={colour} is too light for white text (contrast {ratio:.2f}:1, at least 4.5:1 is needed); "
            "choose a darker shade."
        )
    return colour


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}.")
    return value


def env_text_search_config(name: str, default: str) -> str:
    """A PostgreSQL text search configuration name: it is written into SQL, so only the shipped ones pass."""
    value = env_str(name, default).strip().lower()
    if value not in TEXT_SEARCH_CONFIGS:
        raise ImproperlyConfigured(
            f"{name} must be a text search configuration PostgreSQL ships ({', '.join(TEXT_SEARCH_CONFIGS)}), "
            f"got {os.environ.get(name)!r}."
        )
    return value


def env_database(name: str, default: str) -> dict:
    import dj_database_url

    url = env_str(name, default)
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except (ValueError, dj_database_url.UnknownSchemeError) as exc:
        raise ImproperlyConfigured(f"{name} is not a usable database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL or SQLite, got {engine or url!r}.")
    if engine == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name the database, e.g. postgres://user:password@host:5432/rapport")
    return config


def env_redis_url(name: str) -> str | None:
    url = env_str(name)
    if url is None:
        return None
    if urlparse(url).scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name} must start with redis:// or rediss://, got {url!r}.")
    return url


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server with another logical database number."""
    parts = urlparse(url)
    return parts._replace(path=f"/{db}").geturl()


def env_email(name: str, default: str) -> dict:
    """Parse EMAIL_URL: smtp://user:pass@host:587?tls=1, smtps://..., console://, locmem://."""
    url = env_str(name, default)
    parts = urlparse(url)
    scheme = parts.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host, e.g. smtp://user:pass@mail.example.com:587")
        try:
            # urlparse only checks the port when it is read; read it once, here.
            explicit_port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        query = parse_qs(parts.query)
        use_ssl = scheme == "smtps" or query.get("ssl", ["0"])[0] in _TRUE
        use_tls = not use_ssl and query.get("tls", ["1" if explicit_port == 587 else "0"])[0] in _TRUE
        port = explicit_port or (465 if use_ssl else 25)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": use_tls,
            "EMAIL_USE_SSL": use_ssl,
            "EMAIL_TIMEOUT": 10,
        }
    raise ImproperlyConfigured(f"{name} must start with smtp://, smtps://, console:// or locmem://, got {url!r}.")
