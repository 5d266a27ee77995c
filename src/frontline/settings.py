"""Frontline settings: everything comes from FRONTLINE_* environment variables (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from frontline.env import env_bool, env_choice, env_list, env_str, env_url, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent

ENVIRONMENT = env_choice(
    "FRONTLINE_ENV", choices=("development", "production", "test"), default="development"
)
PRODUCTION = ENVIRONMENT == "production"
DATA_DIR = Path(env_str("FRONTLINE_DATA_DIR", str(BASE_DIR / "data"))).resolve()

SECRET_KEY = secret_key(production=PRODUCTION, data_dir=DATA_DIR)
DEBUG = env_bool("FRONTLINE_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list(
    "FRONTLINE_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("FRONTLINE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "frontline.core",
    "frontline.accounts",
    "frontline.places",
    "frontline.residents",
    "frontline.policy",
    "frontline.health",
    "frontline.travel",
    "frontline.contacts",
    "frontline.control",
    "frontline.zones",
    "frontline.sampling",
    "frontline.care",
    "frontline.helpdesk",
    "frontline.outreach",
    "frontline.supplies",
    "frontline.deliveries",
    "frontline.medicine",
    "frontline.portal",
    "frontline.tasks",
    "frontline.reports",
    "frontline.demo",
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
    "django_htmx.middleware.HtmxMiddleware",
    "frontline.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "frontline.urls"
WSGI_APPLICATION = "frontline.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frontline.core.context_processors.frontline",
            ],
        },
    },
]

# Database: SQLite (WAL) in the data folder unless FRONTLINE_DATABASE_URL names another.
DATABASE_URL = env_url(
    "FRONTLINE_DATABASE_URL",
    schemes=("sqlite", "postgres", "postgresql"),
    default=f"sqlite:///{DATA_DIR / 'frontline.sqlite3'}",
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            # 64 MB of page cache (the default is 2 MB): a large import walks a dozen indexes of
            # a resident table that no longer fits in 2 MB; pages are only held once read.
            " PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    if not DATABASE_URL.endswith(":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # Tests get a file beside it, not Django's shared in-memory database: the browser tests'
        # live server answers htmx's parallel requests in several threads, and an in-memory
        # database would be one connection shared by all of them.
        test_name = Path(DATABASES["default"]["NAME"]).with_suffix(".test.sqlite3")
        DATABASES["default"]["TEST"] = {"NAME": str(test_name)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("FRONTLINE_REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# E-mail (notices to configured addresses): SMTP when FRONTLINE_SMTP_HOST names a server, else
# the console, which prints each message (development and tests; tests swap in locmem).
SMTP_HOST = env_str("FRONTLINE_SMTP_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": int(env_str("FRONTLINE_SMTP_PORT", "465")),
                "username": env_str("FRONTLINE_SMTP_USER"),
                "password": env_str("FRONTLINE_SMTP_PASSWORD"),
                "use_ssl": True,
            },
        }
        if SMTP_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = env_str("FRONTLINE_MAIL_FROM", "frontline@localhost")

# Background work: Django's Tasks API, run in-process unless a worker backend is configured.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Served by WhiteNoise from STATIC_ROOT after `frontline collectstatic` (and from the app folders in DEBUG).
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

FRONTLINE_PAGE_SIZE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "FRONTLINE_LOG_LEVEL", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default="INFO"
        ),
    },
}
