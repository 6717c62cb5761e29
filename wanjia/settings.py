"""Wanjia settings: everything comes from the environment, through typed helpers
that fail loudly on a bad value instead of guessing.

Defaults give a working single-machine install (SQLite and a SQLite-backed Huey
under ``var/``); ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """1/0, true/false, yes/no, on/off; unset or empty means the default; anything
    else stops the start (a typo must not quietly turn a safety switch off)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


VAR_DIR = Path(env_str("WANJIA_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

# Growth and retention (wanjia.core.retention, docs/deploy.md "Growth and retention").
# Rows past their retention are written to ARCHIVE_DIR/<table>/<YYYY-MM>.jsonl.gz
# (with a manifest and checksum) and only then deleted; 0 keeps a table forever.
ARCHIVE_DIR = Path(env_str("WANJIA_ARCHIVE_DIR", str(VAR_DIR / "archive")))
AUDIT_RETENTION_MONTHS = env_int("WANJIA_AUDIT_RETENTION_MONTHS", 36)
EVENT_RETENTION_MONTHS = env_int("WANJIA_EVENT_RETENTION_MONTHS", 24)
# Operational rows with no lasting value, pruned daily (days).
NOTIFICATION_RETENTION_DAYS = env_int("WANJIA_NOTIFICATION_RETENTION_DAYS", 180)
OUTBOX_RETENTION_DAYS = env_int("WANJIA_OUTBOX_RETENTION_DAYS", 30)
QUEUED_TASK_RETENTION_DAYS = env_int("WANJIA_QUEUED_TASK_RETENTION_DAYS", 14)


def _secret_from_var(name: str, env_name: str, make) -> str:
    """A secret from the environment, or generated once into ``var/`` and kept.

    Production sets the variable; a laptop or a trial gets a stable random value
    without anybody having to invent one."""
    value = env_str(env_name)
    if value:
        return value
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_from_var("secret_key", "SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Keys for personal data at rest: Fernet for ID numbers and health notes, HMAC for
# exact-match lookups of encrypted values. Losing FIELD_ENCRYPTION_KEY loses the data.
FIELD_ENCRYPTION_KEY = _secret_from_var(
    "field_key",
    "FIELD_ENCRYPTION_KEY",
    lambda: __import__("base64").urlsafe_b64encode(secrets.token_bytes(32)).decode(),
)
LOOKUP_HASH_KEY = _secret_from_var("lookup_key", "LOOKUP_HASH_KEY", lambda: secrets.token_hex(32))

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",
    "wanjia.core",
    "wanjia.estates",
    "wanjia.party",
    "wanjia.disputes",
    "wanjia.market",
    "wanjia.delivery",
    "wanjia.patrol",
    "wanjia.care",
    "wanjia.tickets",
    "wanjia.conveniences",
    "wanjia.volunteers",
    "wanjia.emergency",
    "wanjia.feedback",
    "wanjia.supervision",
    "wanjia.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wanjia.core.headers.SecurityHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wanjia.core.middleware.RefuseUnstorableInput",
    # services refuse with wanjia.core.errors; one partial or page renders it
    "wanjia.core.middleware.RenderRefusals",
]
# JSON under /api/, a page a person can act on elsewhere (wanjia/urls.py has the rest).
CSRF_FAILURE_VIEW = "wanjia.core.views.csrf_failure"

ROOT_URLCONF = "wanjia.urls"
WSGI_APPLICATION = "wanjia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wanjia" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wanjia.core.context.shell",
            ],
        },
    },
]


def database_from_url(url: str | None) -> dict:
    """Parse DATABASE_URL; only PostgreSQL is accepted besides the SQLite default."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "wanjia.sqlite3",
            "OPTIONS": {
                # WAL + immediate transactions: the web server and the Huey consumer
                # write at once without "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": env_str("WANJIA_TEST_SQLITE", None)},
        }
    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgresql://)"
        )
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("DATABASE_URL has a port that is not a number") from None
    # Query parameters are libpq options (sslmode, connect_timeout, sslrootcert...).
    options: dict = {k: v[-1] for k, v in parse_qs(parts.query).items() if k != "pool"}
    pooled = env_bool("DB_POOL", True)
    if pooled:
        options["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 1),
            "max_size": env_int("DB_POOL_MAX", 20),
            "timeout": 20,
        }
    name = unquote(parts.path.lstrip("/")) or "wanjia"
    # Tests only: two checkouts testing against one server at once would both
    # create test_<name> (test_<name>_gw0... under pytest-xdist) and drop each
    # other's; WANJIA_TEST_DB_SUFFIX=x makes theirs test_<name>_x.
    suffix = env_str("WANJIA_TEST_DB_SUFFIX", "")
    return {
        "ENGINE": "wanjia.core.postgres",  # Django's, with a pool that survives a restart
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 0 if pooled else env_int("DB_CONN_MAX_AGE", 60),
        # A connection is tested before a request uses it: with the pool, Django
        # passes ConnectionPool.check_connection (one round trip when lent);
        # without it, a persistent connection is tested before reuse. After a
        # database restart the pool held dead connections, and each answered
        # one request with a 500.
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": f"test_{name}_{suffix}" if suffix else None},
    }


DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A file cache, not process memory: every app process and the worker share it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "wanjia.core.periodic.RedisHuey",
        "name": env_str("HUEY_NAME", "wanjia"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "wanjia.core.periodic.SqliteHuey",
        "name": "wanjia",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }

# A running job silent this long had its worker killed (core.jobs.jobs_sweep).
JOB_SILENT_SECONDS = env_int("WANJIA_JOB_SILENT_SECONDS", 60)

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["wanjia.core.auth.PhoneOrUsernameBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout: this many failures within LOGIN_LOCK_MINUTES lock the account / the IP.
LOGIN_MAX_FAILURES_ACCOUNT = env_int("LOGIN_MAX_FAILURES_ACCOUNT", 5)
LOGIN_MAX_FAILURES_IP = env_int("LOGIN_MAX_FAILURES_IP", 30)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)
# Resident searches (pages and API together) per user per minute; the live
# search sends one request per pause in typing.
RESIDENT_SEARCH_PER_MINUTE = env_int("RESIDENT_SEARCH_PER_MINUTE", 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "wanjia" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Dates in pages go through named formats (MONTH_DAY_FORMAT, SHORT_DATETIME_FORMAT,
# DATE_FORMAT) so that English pages do not show "12月3日".
FORMAT_MODULE_PATH = ["wanjia.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "wanjia" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Uploaded .xlsx (a zip): refused before opening when its members would inflate
# to more than this in all, or one member (over 1 MB) to more than XLSX_MAX_RATIO
# times its compressed size. A 200,000-row registry sheet is ~200 MB inflated
# and compresses ~14x; a zip bomb compresses ~1000x.
XLSX_MAX_UNCOMPRESSED_BYTES = env_int("XLSX_MAX_UNCOMPRESSED_MB", 300) * 1024 * 1024
XLSX_MAX_RATIO = env_int("XLSX_MAX_RATIO", 100)

# Security: strict by default where it costs nothing; HTTPS settings follow WANJIA_HTTPS.
HTTPS = env_bool("WANJIA_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # other sites never see our URLs (ids, searches)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", [])
if not SECURE_HSTS_PRELOAD:
    # HSTS preloading is a promise for every subdomain of the registrable domain,
    # hard to take back, and only the domain's owner can give it (set
    # SECURE_HSTS_PRELOAD=1). Not preloading is a decision, so the deploy check's
    # reminder about it (W021) is not a warning to act on.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Notification channels: each stays disabled until configured. Nothing is ever
# marked sent that was not accepted by the channel's receiver.
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL", "")
NOTIFY_WEBHOOK_SECRET = env_str("NOTIFY_WEBHOOK_SECRET", "")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = env_str("SMS_GATEWAY_TOKEN", "")
WECHAT_APP_ID = env_str("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env_str("WECHAT_APP_SECRET", "")
WECHAT_API_BASE = env_str("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_TEMPLATE_ID = env_str("WECHAT_TEMPLATE_ID", "")
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 10)
# Outbox retries: attempt n waits NOTIFY_RETRY_BASE_SECONDS * 2**(n-1); after
# NOTIFY_MAX_ATTEMPTS attempts the message is marked failed.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 60)
# Public address of the site ("https://wanjia.example.org"), for links in SMS and
# WeChat messages; without it those messages carry no link.
SITE_URL = env_str("SITE_URL", "").rstrip("/")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "[%(asctime)s] %(levelname)s %(name)s: %(message)s"}},
    "filters": {"mask_identifiers": {"()": "wanjia.core.logs.MaskIdentifiersFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_identifiers"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # run_huey adds its own handler to a "huey" logger that has none, and the
        # record then also reaches the root's: each line was printed twice.
        "huey": {"handlers": ["console"], "propagate": False},
    },
}
WANJIA_EXEMPLARY_POINTS = env_int("WANJIA_EXEMPLARY_POINTS", 5)
