"""Settings. The environment is read here and nowhere else.

Every variable has a default that suits the embedded set-up (`make run`): SQLite under ``var/``,
email written to ``var/mail/``. Production sets ``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS``
and the email variables; see the README for the full list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _env_bool("DEBUG", False)
# The development key only works with DEBUG on or under tests; `checks.py` refuses it otherwise.
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-development-key-change-me")
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "enrollment_tracks.core",
    "enrollment_tracks.accounts",
    "enrollment_tracks.courses",
    "enrollment_tracks.tracks",
    "enrollment_tracks.enrollments",
    "enrollment_tracks.notifications",
    "enrollment_tracks.membership",
    "enrollment_tracks.ecommerce",
    "enrollment_tracks.certificates",
    "enrollment_tracks.verification",
    "enrollment_tracks.api",
    "enrollment_tracks.web",
    "enrollment_tracks.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "enrollment_tracks.web.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the worker read while the other writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", ":memory:")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:catalog"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, without a manifest: pages render before `collectstatic` has run (tests).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # Encrypted ID-verification photos: outside MEDIA_ROOT, never served by URL.
    "verification": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "verification"},
    },
}
WHITENOISE_USE_FINDERS = True

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "enrollment-tracks",
    }
}
if os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }

# Email: SMTP when EMAIL_HOST is set, otherwise real messages written under var/mail/.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Enrollment Tracks <no-reply@localhost>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# The outbox retries a failed email with exponential backoff, then parks it.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "30"))
# A message still "sending" after this long was claimed by a worker that died.
OUTBOX_SENDING_TIMEOUT_SECONDS = int(os.environ.get("OUTBOX_SENDING_TIMEOUT_SECONDS", "600"))
# Absolute links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Batch membership jobs.
MEMBERSHIP_MAX_IDENTIFIERS = int(os.environ.get("MEMBERSHIP_MAX_IDENTIFIERS", "100000"))
# A pasted list of the maximum size (emails up to ~320 characters each) must reach the view,
# which answers with the limit message, instead of Django's bare 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, MEMBERSHIP_MAX_IDENTIFIERS * 330)
MEMBERSHIP_CHUNK_SIZE = int(os.environ.get("MEMBERSHIP_CHUNK_SIZE", "5000"))
# Chunks of one job applied at once on PostgreSQL, each on its own connection (SQLite: one).
MEMBERSHIP_PARALLEL_CHUNKS = int(os.environ.get("MEMBERSHIP_PARALLEL_CHUNKS", "2"))
# A running job whose worker has not reported for this long is taken over by another worker.
MEMBERSHIP_STALE_SECONDS = int(os.environ.get("MEMBERSHIP_STALE_SECONDS", "120"))
# students_update_enrollment runs lists up to this size in the request; longer ones become a job.
MEMBERSHIP_SYNC_LIMIT = int(os.environ.get("MEMBERSHIP_SYNC_LIMIT", "100"))

REST_FRAMEWORK = {
    # Session cookies with CSRF enforced (DRF's SessionAuthentication); anonymous gets 403.
    # Services: an OAuth2 bearer token, a JWT from /oauth2/access_token, or the legacy key.
    # A credential that is presented but wrong answers 401 (see enrollment_tracks/api/README.md).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "enrollment_tracks.api.authentication.JwtAuthentication",
        "enrollment_tracks.api.authentication.BearerTokenAuthentication",
        "enrollment_tracks.api.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "enrollment_tracks.core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# --- API clients (enrollment_tracks.api) ------------------------------------------------------
# OAuth2 (django-oauth-toolkit): client-credentials only; each Application acts as its `user`
# (the service user) and holds the scopes granted to it in the admin (api.ApplicationAccess).
OAUTH2_PROVIDER = {
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.BackendApplicationServer",
    "SCOPES_BACKEND_CLASS": "enrollment_tracks.api.scopes.ApplicationScopes",
    "APPLICATION_ADMIN_CLASS": "enrollment_tracks.api.admin.ApplicationAdmin",
    # One entry per scope of enrollment_tracks.api.permissions.ALL_SCOPES (check api.E002).
    "SCOPES": {
        "enrollments:read": "Read any learner's enrollments",
        "enrollments:write": "Enroll and unenroll anyone, on any track (paid ones too)",
        "course_modes:read": "Read every course's tracks (course modes)",
        "course_modes:write": "Create, change and delete course tracks",
        "commerce:write": "Replace a course's paid configuration (Commerce API)",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("ACCESS_TOKEN_EXPIRE_SECONDS", "3600")),
    # RFC 9700 (OAuth 2.0 Security BCP), django-oauth-toolkit 4.0's future defaults: tokens
    # stored only as hashes, never read from URLs; the browser-flow rules cost us nothing.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Named so that migrations referring to it (api.ApplicationAccess) can resolve it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# JWTs answered by /oauth2/access_token with token_type=jwt (HS256). The key defaults to one
# derived from SECRET_KEY, so rotating SECRET_KEY also invalidates every JWT.
JWT_SECRET_KEY = (
    os.environ.get("JWT_SECRET_KEY")
    or hmac.new(SECRET_KEY.encode(), b"enrollment_tracks.api.jwt", hashlib.sha256).hexdigest()
)
JWT_ISSUER = os.environ.get("JWT_ISSUER", f"{SITE_URL}/oauth2")
JWT_AUDIENCE = os.environ.get("JWT_AUDIENCE", "enrollment-tracks")
# Open edX's server-to-server `X-Edx-Api-Key`; empty (the default) switches the header off.
EDX_API_KEY = os.environ.get("EDX_API_KEY", "")
# Per user (or per OAuth2 client) on enrollment writes: DRF's "N/second|minute|hour|day".
ENROLLMENT_WRITE_RATE = os.environ.get("ENROLLMENT_WRITE_RATE", "60/minute")

SPECTACULAR_SETTINGS = {
    "TITLE": "Enrollment Tracks API",
    "DESCRIPTION": (
        "Course tracks and enrollments, compatible with Open edX. Endpoints tagged "
        "`openedx-compatible` answer exactly as Open edX does (errors as "
        '`{"developer_message", "error_code"}`); our own endpoints answer errors as '
        '`{"error": {"code", "message", "field"}}`. Authentication: the session cookie, with '
        "the CSRF token in the `X-CSRFToken` header for unsafe methods; for services, a token "
        "from `POST /oauth2/access_token` (client credentials) sent as `Authorization: Bearer "
        "<token>`, or with `token_type=jwt` as `Authorization: JWT <jwt>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "JobActionEnum": "enrollment_tracks.membership.models.JobAction",
        "JobStatusEnum": "enrollment_tracks.membership.models.JobStatus",
        "CompatActionEnum": "enrollment_tracks.membership.serializers.COMPAT_ACTIONS",
    },
    "PATH_CONVERTER_OVERRIDES": {
        "course_key": {
            "type": "string",
            # courses.keys.COURSE_KEY_URL_PATTERN, anchored (a test keeps the two equal).
            "pattern": r"^[^/+]+(?:/|\+)[^/+]+(?:/|\+)[^/?]+$",
            "description": "A course run key: course-v1:Org+Number+Run or Org/Number/Run.",
            "example": "course-v1:edX+DemoX+Demo_Course",
        }
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

# Site configuration defaults: the admin's "Site configuration" row starts from these.
SITE_DEFAULTS = {
    "platform_name": os.environ.get("PLATFORM_NAME", "Enrollment Tracks"),
    "ecommerce_enabled": _env_bool("ECOMMERCE_ENABLED", False),
    "id_verification_enabled": _env_bool("ID_VERIFICATION_ENABLED", False),
    "default_currency": os.environ.get("DEFAULT_CURRENCY", "usd"),
}
SITE_CONFIGURATION_CACHE_SECONDS = int(os.environ.get("SITE_CONFIGURATION_CACHE_SECONDS", "30"))

# --- E-commerce (enrollment_tracks.ecommerce) -------------------------------------------------
# The payment processor, by dotted path: the built-in sandbox (test cards, no money moves) or
# enrollment_tracks.ecommerce.processors.stripe.StripeProcessor (needs the STRIPE_* variables).
ECOMMERCE_PROCESSOR = os.environ.get(
    "ECOMMERCE_PROCESSOR", "enrollment_tracks.ecommerce.processors.sandbox.SandboxProcessor"
)
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# The sandbox signs its webhooks as Stripe does, with this secret (derived from SECRET_KEY).
SANDBOX_WEBHOOK_SECRET = (
    os.environ.get("SANDBOX_WEBHOOK_SECRET")
    or hmac.new(
        SECRET_KEY.encode(), b"enrollment_tracks.ecommerce.sandbox", hashlib.sha256
    ).hexdigest()
)
# A webhook signed longer ago than this is refused (Stripe's libraries use 300 seconds).
ECOMMERCE_WEBHOOK_TOLERANCE_SECONDS = int(
    os.environ.get("ECOMMERCE_WEBHOOK_TOLERANCE_SECONDS", "300")
)
# A learner may refund an order this many days after the later of payment and course start.
REFUND_WINDOW_DAYS = int(os.environ.get("REFUND_WINDOW_DAYS", "14"))
# Reconciliation fulfils orders paid this long ago and still not fulfilled.
ORDER_RECONCILE_AFTER_SECONDS = int(os.environ.get("ORDER_RECONCILE_AFTER_SECONDS", "300"))

# --- ID verification (enrollment_tracks.verification) -----------------------------------------
# Key-encryption keys that wrap each photo's data key: "id:base64-of-32-bytes,id2:...". The
# first (or VERIFICATION_KEK_ID) wraps new photos; the others still unwrap older ones (rotation:
# `manage.py verification_rotate_keys`). Without the variable, a development key derived from
# SECRET_KEY exists only while DEBUG is on or SECRET_KEY is the development key; otherwise there
# is none and the check verification.E001 stops the server.
VERIFICATION_KEKS = dict(
    item.split(":", 1) for item in _env_list("VERIFICATION_KEKS", "") if ":" in item
)
if not VERIFICATION_KEKS and (DEBUG or SECRET_KEY == "insecure-development-key-change-me"):
    VERIFICATION_KEKS = {
        "dev": base64.b64encode(
            hmac.new(SECRET_KEY.encode(), b"verification.kek.dev", hashlib.sha256).digest()
        ).decode()
    }
VERIFICATION_KEK_ID = os.environ.get("VERIFICATION_KEK_ID") or next(iter(VERIFICATION_KEKS), "")
VERIFICATION_REVIEW_MODE = os.environ.get("VERIFICATION_REVIEW_MODE", "automatic")
VERIFICATION_EXPIRY_DAYS = int(os.environ.get("VERIFICATION_EXPIRY_DAYS", "365"))
VERIFICATION_EXPIRING_SOON_DAYS = int(os.environ.get("VERIFICATION_EXPIRING_SOON_DAYS", "30"))
VERIFICATION_PHOTO_RETENTION_DAYS = int(os.environ.get("VERIFICATION_PHOTO_RETENTION_DAYS", "30"))
VERIFICATION_PHOTO_MAX_BYTES = int(os.environ.get("VERIFICATION_PHOTO_MAX_BYTES", "10485760"))
VERIFICATION_PHOTO_MAX_PIXELS = int(os.environ.get("VERIFICATION_PHOTO_MAX_PIXELS", "25000000"))
VERIFICATION_HOUSEKEEPING_SECONDS = int(os.environ.get("VERIFICATION_HOUSEKEEPING_SECONDS", "3600"))

SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
