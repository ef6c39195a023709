"""Settings shared by every environment, read from the environment (12-factor).

dev.py, test.py and prod.py only override. Every variable is listed in
.env.example and the README.
"""

from __future__ import annotations

import zoneinfo
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.settings.env import (
    env_bool,
    env_brand_colour,
    env_choice,
    env_database,
    env_email,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_text_search_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime data of the embedded default (SQLite file, generated secret key,
# broker folder, uploads). Ignored by git.
DATA_DIR = Path(env_str("RAPPORT_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")  # dev.py may generate one; prod.py requires it
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.github",
    "allauth.mfa",
    "django_htmx",
    "taggit",
    "accounts",
    "community",
    "moderation",
    "rewards",
    "insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.brand",
                "community.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATA_DIR_DEFAULT_DB = f"sqlite:///{DATA_DIR / 'rapport.sqlite3'}"
DATABASES = {"default": env_database("DATABASE_URL", DATA_DIR_DEFAULT_DB)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE
    # transactions take the write lock up front instead of failing mid-way
    # with "database is locked"; the timeout waits for the other process.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, sessions and the Celery broker --------------------------
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing one client per connection pool (config/cache.py).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rapport",
            "TIMEOUT": 300,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Without Redis the web process and the worker share a file cache, so
    # buffers written by one (view counts, rate limits) are seen by the other.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "TIMEOUT": 300,
            # Pages, posts and lists are cached (community.caching): room for a small site's
            # working set. Past it, each write lists the folder to cull, so not much more.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }

# --- Auth and accounts -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
SITE_ID = 1

ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_choice("ACCOUNT_EMAIL_VERIFICATION", "mandatory", ["mandatory", "optional", "none"])
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_choice("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https", ["http", "https"])
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Rate limits are enforced by allauth through the cache: per IP, per key.
ACCOUNT_RATE_LIMITS = {
    "login": env_str("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": env_str("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    "signup": env_str("RATE_LIMIT_SIGNUP", "20/m/ip"),
    "reset_password": env_str("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "confirm_email": "1/3m/key",
}
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False


def _social_providers() -> dict:
    """Social login is switched on per provider by setting its client id and secret."""
    providers = {}
    for provider, prefix in (
        ("google", "GOOGLE"),
        ("facebook", "FACEBOOK"),
        ("twitter_oauth2", "TWITTER"),
        ("github", "GITHUB"),
    ):
        client_id = env_str(f"SOCIAL_{prefix}_CLIENT_ID")
        secret = env_str(f"SOCIAL_{prefix}_SECRET")
        if bool(client_id) != bool(secret):
            raise ImproperlyConfigured(f"Set both SOCIAL_{prefix}_CLIENT_ID and SOCIAL_{prefix}_SECRET, or neither.")
        if client_id:
            providers[provider] = {"APPS": [{"client_id": client_id, "secret": secret, "key": ""}]}
    return providers


SOCIALACCOUNT_PROVIDERS = _social_providers()

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("RAPPORT_SITE_NAME", "Rapport")
# When true, staff members must set up an authenticator app before using the site.
RAPPORT_STAFF_REQUIRE_MFA = env_bool("RAPPORT_STAFF_REQUIRE_MFA", False)

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE must be an IANA time zone like Europe/Paris, got {TIME_ZONE!r}.") from None
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
S3_BUCKET = env_str("S3_BUCKET")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION"),
            "custom_domain": env_str("S3_CUSTOM_DOMAIN"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": env_bool("S3_QUERYSTRING_AUTH", False),
        },
    }
# Serve uploads from Django when they live on local disk and nothing else
# (nginx, a CDN bucket) serves them; fine for small sites, S3 for scale.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not S3_BUCKET)
RAPPORT_ATTACHMENT_MAX_BYTES = env_int("RAPPORT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
AVATAR_MAX_BYTES = env_int("AVATAR_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880

# --- Email -------------------------------------------------------------------
vars().update(env_email("EMAIL_URL", "console://"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Rapport <community@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Admin", address) for address in env_list("ADMIN_EMAILS", [])]

# --- Brand -------------------------------------------------------------------
RAPPORT_SITE_NAME = env_str("RAPPORT_SITE_NAME", "Rapport")
RAPPORT_TAGLINE = env_str("RAPPORT_TAGLINE", "")
RAPPORT_BRAND_PRIMARY = env_brand_colour("RAPPORT_BRAND_PRIMARY", "#1f5fbf")
RAPPORT_BRAND_ACCENT = env_brand_colour("RAPPORT_BRAND_ACCENT", "#0f7b6c")
RAPPORT_LOGO_URL = env_str("RAPPORT_LOGO_URL", "")
# The site's public address, for links in emails and feeds written outside a request.
RAPPORT_BASE_URL = env_str("RAPPORT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
if not RAPPORT_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"RAPPORT_BASE_URL must start with http:// or https://, got {RAPPORT_BASE_URL!r}.")

# --- Community limits ---------------------------------------------------------
RAPPORT_TITLE_MIN_LENGTH = env_int("RAPPORT_TITLE_MIN_LENGTH", 15, minimum=1)
RAPPORT_TITLE_MAX_LENGTH = env_int("RAPPORT_TITLE_MAX_LENGTH", 150, minimum=10)
RAPPORT_BODY_MIN_LENGTH = env_int("RAPPORT_BODY_MIN_LENGTH", 20, minimum=1)
RAPPORT_BODY_MAX_LENGTH = env_int("RAPPORT_BODY_MAX_LENGTH", 32_000, minimum=100)
RAPPORT_COMMENT_MIN_LENGTH = env_int("RAPPORT_COMMENT_MIN_LENGTH", 15, minimum=1)
RAPPORT_COMMENT_MAX_LENGTH = env_int("RAPPORT_COMMENT_MAX_LENGTH", 600, minimum=10)
# How long after posting a member may still edit their comment, as on Stack Overflow (staff always may).
RAPPORT_COMMENT_EDIT_SECONDS = env_int("RAPPORT_COMMENT_EDIT_SECONDS", 300, minimum=0)
RAPPORT_MAX_TAGS = env_int("RAPPORT_MAX_TAGS", 5, minimum=1)
RAPPORT_SIGNUP_OPEN = env_bool("RAPPORT_SIGNUP_OPEN", True)
# Language of full-text search: PostgreSQL's text search configuration (stemming and stop words), and on
# SQLite the FTS5 tokenizer (porter stemming for english, none otherwise). Changing it needs
# manage.py rebuild_search_index.
RAPPORT_SEARCH_LANGUAGE = env_text_search_config("RAPPORT_SEARCH_LANGUAGE", "english")

# --- Security headers (prod.py turns on the HTTPS-only ones) -----------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
_media_origins = [o for o in [env_str("S3_CUSTOM_DOMAIN"), env_str("S3_ENDPOINT_URL")] if o]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the TOTP QR code allauth renders inline. https: lets posts show images hosted
        # elsewhere (imported posts link to i.sstatic.net): an image cannot run script, and the
        # sanitiser marks every image no-referrer, so the host learns only the reader's address.
        # http: stays out: mixed content. Media origins are listed for an http:// S3 endpoint.
        "img-src": [SELF, "data:", "https:", *(f"https://{o}" if "://" not in o else o for o in _media_origins)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, "https:"],  # social login posts to the provider
        "frame-ancestors": [NONE],
    }
}

# --- Celery --------------------------------------------------------------------
# Without REDIS_URL the broker is a folder on disk (kombu's filesystem
# transport), so `make run` runs a real worker and beat with no server. The
# transport ignores the host; naming one keeps kombu from warning that none was given.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://localhost/")
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
# A Redis broker cannot see a worker die: it hands a message out again once it has gone
# unacknowledged for the visibility timeout. With acks_late a message stays unacknowledged
# while its task runs, so the timeout is both how long a dead worker's work waits before
# another worker redoes it, and the longest a task may run before a second copy starts.
# Five minutes: a killed worker's tasks come back after 300 s, not two hours, and the
# longest hard limit today (120 s, the digests in community/tasks.py) fits with room.
# Every task's hard limit plus the margin must fit: the check below covers the default,
# tests/config/test_celery.py each task's own (config.celery.tasks_over_visibility_timeout).
# A message sent with a countdown or ETA longer than the timeout would be handed out again
# while it waits in a worker; no task uses one (the outbox's retries wait in the database).
# RabbitMQ has no visibility timeout: it redelivers when the worker's connection drops.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 5 * 60, minimum=1)
VISIBILITY_TIMEOUT_MARGIN = 60  # for a message's wait in the worker before its task starts, and clock drift
if CELERY_TASK_TIME_LIMIT + VISIBILITY_TIMEOUT_MARGIN > CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT} s) must be at least {VISIBILITY_TIMEOUT_MARGIN} s "
        f"below CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT} s), or a task still running is handed "
        "to a second worker; raise CELERY_VISIBILITY_TIMEOUT or lower the limit."
    )
_broker_dir = DATA_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # services write their own status rows
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_ROUTES = {"rapport.mining.*": {"queue": "mining"}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Outbox (community/outbox.py) ----------------------------------------------
# Work recorded by a write and not done after RAPPORT_OUTBOX_RETRY_SECONDS is
# enqueued again by the relay, each time waiting twice as long, up to the maximum.
# The relay runs every RAPPORT_OUTBOX_RELAY_SECONDS (config/celery.py reads it).
RAPPORT_OUTBOX_RETRY_SECONDS = env_int("RAPPORT_OUTBOX_RETRY_SECONDS", 15, minimum=1)
RAPPORT_OUTBOX_RETRY_MAX_SECONDS = env_int("RAPPORT_OUTBOX_RETRY_MAX_SECONDS", 300, minimum=1)
RAPPORT_OUTBOX_KEEP_DAYS = env_int("RAPPORT_OUTBOX_KEEP_DAYS", 7, minimum=1)

# --- Logging -----------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
