"""Django settings for the klaster platform, read from the environment.

Environment variables (all optional for a local run; see docs/web.md):

* ``KLASTER_DATA_DIR`` — where the SQLite database, uploaded files and the generated
  development secret live (default: the platform's user data directory + ``/web``).
* ``DATABASE_URL`` — e.g. ``postgres://user:pass@127.0.0.1:5432/klaster``; without it the
  embedded SQLite database ``$KLASTER_DATA_DIR/klaster.sqlite3`` is used.
* ``KLASTER_DEBUG`` — ``1`` for development; default ``0`` (production behaviour).
* ``KLASTER_SECRET_KEY`` — required when DEBUG is off; in DEBUG a key is generated once and
  kept in the data directory.
* ``KLASTER_ALLOWED_HOSTS`` — comma-separated; default ``localhost,127.0.0.1`` (DEBUG) or
  nothing (production: must be set).
* ``KLASTER_MAX_UPLOAD_MB`` (default 200) — largest request body with files (analysis
  statistics); ``KLASTER_MAX_DOCUMENT_MB`` (default 20) — largest document or assessment
  evidence file. Checked while the body is received, before anything is stored.
* ``KLASTER_SQLITE_TIMEOUT`` — seconds a SQLite writer waits for the lock (default 30).
* ``KLASTER_SECURE_SSL_REDIRECT`` / ``KLASTER_SECURE_COOKIES`` / ``KLASTER_HSTS_SECONDS`` /
  ``KLASTER_SECURE_PROXY_SSL`` — production transport security (defaults: on / on / one
  year / off).

DEBUG is for this computer only: ``klaster serve`` refuses it on a non-loopback address,
and with DEBUG on every request from another address is refused (403) by
``DebugLoopbackOnlyMiddleware``, so the URL list and tracebacks never leave the machine.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from platformdirs import user_data_dir


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def _list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


WEB_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KLASTER_DATA_DIR") or Path(user_data_dir("klaster")) / "web")

DEBUG = _flag("KLASTER_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("KLASTER_SECRET_KEY", "")
    if key:
        return key
    if not DEBUG and not _flag("KLASTER_GENERATED_SECRET", False):
        raise ImproperlyConfigured(
            "KLASTER_SECRET_KEY must be set when KLASTER_DEBUG is off (production); "
            "for a local run use `klaster serve`, which turns DEBUG on")
    # Development (or `klaster serve` on the network, which sets KLASTER_GENERATED_SECRET):
    # one random key per data directory, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _list("KLASTER_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "simple_history",
    "axes",
    "csp",
    # Bootstrap (django-bootstrap-static) and Swagger UI / Redoc (drf-spectacular-sidecar)
    # ship their files as app static files; Leaflet and plotly.js: klaster.web.assets.
    "bootstrap",
    "drf_spectacular_sidecar",
    "klaster.web.registry",
    "klaster.web.portal",
    "klaster.web.api",
    "klaster.web.assessment",
    "klaster.web.matchmaking",
    "klaster.web.analysis",
    "klaster.web.privacy",
]

MIDDLEWARE = [
    "klaster.web.security.DebugLoopbackOnlyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed (brotli/gzip) and cached for good under hashed names
    # (klaster.web.staticfiles); answered before sessions, so never "Vary: Cookie".
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp): see CONTENT_SECURITY_POLICY below.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware (its 413 message is translated), before anything reads a body.
    "klaster.web.uploads.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Privacy notice gate and the log of administrators' access to personal data.
    "klaster.web.privacy.middleware.PrivacyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns lock-outs raised below into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "klaster.web.urls"
WSGI_APPLICATION = "klaster.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "klaster.web.privacy.middleware.notice_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'klaster.sqlite3'}",
        conn_max_age=int(os.environ.get("KLASTER_DB_CONN_MAX_AGE", "60")),
        # Persistent connections are checked before reuse, so a restarted database
        # server costs one failed check, not one failed request per worker.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for the demo and small deployments, made safe for concurrent requests
    # (SQLite, "Write-Ahead Logging" and "BEGIN TRANSACTION" documentation):
    # - WAL: readers never wait for a writer and a writer never waits for readers;
    # - a busy timeout (sqlite3 "timeout", seconds): a writer waits for the write lock
    #   instead of failing at once with "database is locked";
    # - BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so two
    #   transactions never both read and then try to upgrade (that deadlock fails at once,
    #   whatever the timeout); write transactions are kept short by the code.
    # synchronous=NORMAL is durable in WAL mode except for the last commits on power loss.
    # PostgreSQL (DATABASE_URL) remains the production database.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("KLASTER_SQLITE_TIMEOUT", "30")),
    })

# "public": the shared cache of anonymous pages, API lists and pagination counts
# (klaster.web.portal.caching). File-based so that every gunicorn worker on the host sees
# the same entries and the same invalidation; KLASTER_PUBLIC_CACHE_SECONDS=0 turns it off.
KLASTER_PUBLIC_CACHE_ALIAS = "public"
KLASTER_PUBLIC_CACHE_SECONDS = int(os.environ.get("KLASTER_PUBLIC_CACHE_SECONDS", "600"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("KLASTER_CACHE_DIR") or str(DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# E-mail (label reminders, matchmaking, the "contact this cluster" form): Django's SMTP
# backend with the deployment's EMAIL_* settings; with DEBUG the console backend prints
# messages instead of failing on a missing mail server; KLASTER_EMAIL_BACKEND overrides.
EMAIL_BACKEND = os.environ.get("KLASTER_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend")

# Argon2id first (winner of the Password Hashing Competition, Biryukov et al. 2016);
# the others only verify old hashes and are upgraded on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: lock a username+address pair out after 5 failures for one hour.
AXES_FAILURE_LIMIT = int(os.environ.get("KLASTER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:workspace"
LOGOUT_REDIRECT_URL = "portal:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish")), ("be", _("Belarusian")),
             ("ru", _("Russian"))]
# The engine's catalogue (klaster.i18n: reports, caveats, notes; every entry has the
# context "klaster", so it never overrides the platform's own words) is the same tree the
# library reads without Django.
LOCALE_PATHS = [WEB_DIR / "locale", WEB_DIR.parent / "locale"]
TIME_ZONE = os.environ.get("KLASTER_TIME_ZONE", "Europe/Warsaw")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "klaster.web.assets.PackageAssetFinder",
]
# Hashed names + compressed copies (klaster.web.staticfiles). `klaster serve` prepares
# STATIC_ROOT itself and sets KLASTER_STATIC_PREPARED, so even in DEBUG the pages use the
# hashed, cacheable names and WhiteNoise serves the prepared files without scanning.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "klaster.web.staticfiles.KlasterStaticStorage"},
}
KLASTER_STATIC_PREPARED = _flag("KLASTER_STATIC_PREPARED", False)
try:  # WhiteNoise warns about a missing STATIC_ROOT before the first collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only data directory: `check` reports it
    pass
if KLASTER_STATIC_PREPARED:
    WHITENOISE_USE_FINDERS = False
    WHITENOISE_AUTOREFRESH = False
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# --- upload limits (klaster.web.uploads) ---------------------------------------------------
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files and FILE_UPLOAD_MAX_MEMORY_SIZE
# only decides memory vs temporary file: neither caps a file. The first upload handler
# counts the bytes of every file as they arrive and stops the request past the limit
# (413, translated message); the middleware refuses a declared Content-Length at once.
KLASTER_MAX_UPLOAD_BYTES = int(float(os.environ.get("KLASTER_MAX_UPLOAD_MB", "200")) * 2**20)
KLASTER_MAX_DOCUMENT_BYTES = int(float(os.environ.get("KLASTER_MAX_DOCUMENT_MB", "20")) * 2**20)
FILE_UPLOAD_HANDLERS = [
    "klaster.web.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "klaster.web.uploads.TemporaryFileUploadHandler",
]
# Temporary upload files live in the data directory, named with the server process id,
# so files left by a killed server process are recognised and removed (uploads.py).
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "upload-tmp")
try:
    Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only data directory: `check` reports files.E001
    pass

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["klaster.web.registry.permissions.RecordPermission"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "klaster registry API",
    "DESCRIPTION": "Cluster organisations, members, activities and projects.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/: Swagger UI from the installed drf-spectacular-sidecar (no CDN); no
    # validator badge (it would call validator.swagger.io); no deep links (each was an
    # <a href> inside an operation's button: nested controls, WCAG 4.1.2 — docs/web.md).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "validatorUrl": None},
}

# --- privacy (docs/privacy.md): who the controller is, on what legal basis, for how long.
# An empty value keeps the default shown in docs/privacy.md.
KLASTER_PRIVACY = {
    key: os.environ.get(f"KLASTER_PRIVACY_{key}", "")
    for key in ("CONTROLLER", "CONTACT", "DPO", "LEGAL_BASIS", "NOTICE_VERSION", "GATE",
                "INACTIVE_DAYS", "HISTORY_DAYS", "UPLOAD_DAYS")
}

# --- production transport security (python -m klaster.web check --deploy is clean) ------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's session clients read it; HttpOnly adds nothing here
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy for every response (django-csp). Scripts: this site's files and
# inline scripts carrying the response's nonce (``{{ CSP_NONCE }}``); no inline event
# handlers, no eval. Styles allow inline because Plotly writes <style> elements and style
# attributes at run time. Images and fonts may be data:/blob: URIs (Plotly's export and
# icons). Nothing is loaded from another site (the platform makes no outside requests).
# The analysis report (a self-contained HTML file with inline Plotly) is served with its
# own sandboxed policy (klaster.web.security.REPORT_POLICY).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp_constants.NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}
# Web maps are offline by default (the built-in boundaries, no tiles). A deployment with a
# tile server sets KLASTER_MAP_TILE_URL (a Leaflet URL template such as
# https://tiles.example.org/{z}/{x}/{y}.png) and KLASTER_MAP_TILE_ATTRIBUTION (the
# credit its licence requires); only then is the tile host allowed in img-src.
KLASTER_MAP_TILE_URL = os.environ.get("KLASTER_MAP_TILE_URL", "").strip()
KLASTER_MAP_TILE_ATTRIBUTION = os.environ.get("KLASTER_MAP_TILE_ATTRIBUTION", "").strip()


def _tile_source(url: str) -> str | None:
    """The CSP source of a tile URL template: scheme and host, "{s}." subdomains as "*."."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}.", "SUBDOMAIN."))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"KLASTER_MAP_TILE_URL must be an http(s) URL, not {url!r}")
    return f"{parts.scheme}://{parts.netloc.replace('SUBDOMAIN.', '*.')}"


if KLASTER_MAP_TILE_URL:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_tile_source(KLASTER_MAP_TILE_URL))
CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # KLASTER_SECURE_COOKIES=0 only for plain-HTTP test servers (the browser tests).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("KLASTER_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = _flag("KLASTER_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("KLASTER_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("KLASTER_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("KLASTER_HSTS_PRELOAD", True)
    if _flag("KLASTER_SECURE_PROXY_SSL", False):
        # Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KLASTER_LOG_LEVEL", "WARNING")},
}
