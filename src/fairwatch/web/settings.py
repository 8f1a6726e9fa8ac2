"""Django settings, read from the environment.

FAIRWATCH_VAR       folder for the embedded database and generated keys (default: ./var)
DATABASE_URL        e.g. postgres://user:pass@host/db (default: SQLite under FAIRWATCH_VAR)
FAIRWATCH_DEBUG     "1" only for local development (`make run` sets it)
FAIRWATCH_SECRET_KEY, FAIRWATCH_AUDIT_KEY   override the keys generated into FAIRWATCH_VAR
FAIRWATCH_ALLOWED_HOSTS   comma-separated host names (default: localhost names)
FAIRWATCH_HTTPS     "1" when served over TLS (secure cookies, HSTS)
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from fairwatch.web.keys import read_or_create_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
_checkout = PACKAGE_DIR.parent.parent
# The var folder holds the keys: it must be the same folder whatever directory a command is
# run from, so the default is fixed: the checkout's var/, or the user's data folder.
_data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
VAR_DIR = Path(
    os.environ.get("FAIRWATCH_VAR")
    or (_checkout / "var" if (_checkout / "pyproject.toml").exists() else _data_home / "fairwatch")
).resolve()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("FAIRWATCH_DEBUG")
SECRET_KEY = os.environ.get("FAIRWATCH_SECRET_KEY") or read_or_create_key(VAR_DIR / "secret_key")
# The audit trail's chain key is separate from SECRET_KEY so rotating one never breaks the other.
AUDIT_KEY = (
    os.environ.get("FAIRWATCH_AUDIT_KEY") or read_or_create_key(VAR_DIR / "audit_key")
).encode()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("FAIRWATCH_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its API docs page then uses the vendored Swagger UI, not a CDN
    "fairwatch.schools",
    "fairwatch.audit",
    "fairwatch.monitoring",
    "fairwatch.mailflow",
    "fairwatch.internet",
    "fairwatch.concerns",
    "fairwatch.policy",
    "fairwatch.web",
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
]

ROOT_URLCONF = "fairwatch.web.urls"
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
                "fairwatch.web.context.current_school",
            ],
        },
    }
]
WSGI_APPLICATION = "fairwatch.web.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'fairwatch.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and WAL keep concurrent writers from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["fairwatch.web.auth.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # a school day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _flag("FAIRWATCH_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "FAIRWATCH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("FAIRWATCH_FROM_EMAIL", "fairwatch@localhost")
# Where people reach the web app, for links in notification emails.
SITE_URL = os.environ.get("FAIRWATCH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
