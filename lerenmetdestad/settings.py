"""Settings for Leren met de Stad, read from the environment (12-factor).

Production differs from a laptop only by its environment. Every variable is listed
in README.md; a bad value stops start-up with ImproperlyConfigured.
"""

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from pythonjsonlogger.core import RESERVED_ATTRS

from lerenmetdestad.env import env_bool, env_int, env_list, env_str, env_url
from lerenmetdestad.sealing import key_from_secret_key, keys_validate
from lerenmetdestad.sso import SURFCONEXT_ISSUER, origin, surfconext_providers

BASE_DIR = Path(__file__).resolve().parent.parent
# Where `make run` keeps its embedded PostgreSQL and Redis, and where uploads go locally.
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / ".data")))
RUN_DIR = DATA_DIR / "run"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-only-for-debug-mode"  # noqa: S105

# Fernet keys that seal secrets kept at rest (lerenmetdestad/sealing.py): the first seals,
# all unseal. README.md, "Rotating the sealing keys", says how to replace one. Without it,
# DEBUG derives one from SECRET_KEY; with DEBUG off, system check lerenmetdestad.E001 stops
# `migrate` and so the deploy.
SEALING_KEYS = keys_validate(env_list("SEALING_KEYS", []))
if not SEALING_KEYS and DEBUG:
    SEALING_KEYS = [key_from_secret_key(SECRET_KEY)]

SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes={"http", "https"}).rstrip("/")
_site = urlparse(SITE_URL)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_site.hostname, "localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"{_site.scheme}://{_site.netloc}"])

INSTALLED_APPS = [
    # Django's admin on the platform's own site class (lerenmetdestad/admin_site.py).
    "lerenmetdestad.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own form templates, found by FORM_RENDERER below.
    "django.forms",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    # Installed whether or not SURFconext is configured, so the tables of linked accounts
    # exist everywhere and the privacy export and erasure can always read them.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Two factors (an app's code, with recovery codes): required before the admin
    # (accounts.middleware.AdminTwoFactorMiddleware), optional for everyone else.
    "allauth.mfa",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "lerenmetdestad",
    "accounts",
    "outbox",
    "partners",
    "projects",
    "events",
    "matching",
    "coordination",
    "pgtrigger",
    "pghistory",
]

MIDDLEWARE = [
    # First, so that every later middleware's log lines carry the request's id.
    "lerenmetdestad.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff give a second factor before any /beheer/ page (accounts/two_factor.py).
    "accounts.middleware.AdminTwoFactorMiddleware",
    "pghistory.middleware.HistoryMiddleware",
]

# Audit triggers (coordination/audit) live on other apps' tables: installed after migrate, never
# written into those apps' migrations.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

ROOT_URLCONF = "lerenmetdestad.urls"
WSGI_APPLICATION = "lerenmetdestad.wsgi.application"
ASGI_APPLICATION = "lerenmetdestad.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Forms render through the project's templates (templates/django/forms/), so every
# {{ form }} shows label, help text and errors the same way, tied with aria-describedby.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database: one PostgreSQL for everything ------------------------------------------
# Without DATABASE_URL we use the embedded PostgreSQL that `make run` starts on a
# Unix socket under .data/run, so it never clashes with a server already running.
DATABASE_URL = env_url("DATABASE_URL", None, schemes={"postgres", "postgresql", "pgsql"})
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "lerenmetdestad",
            "USER": "postgres",
            "HOST": str(RUN_DIR),
            "CONN_MAX_AGE": 60,
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (shared, so rate limits hold across workers) and Celery broker ------
REDIS_SCHEMES = {"redis", "rediss", "unix"}
REDIS_URL = env_url("REDIS_URL", f"unix://{RUN_DIR / 'redis.sock'}", schemes=REDIS_SCHEMES)


def redis_database(url: str) -> tuple[str, int]:
    """Where a Redis URL points: the server (everything but the database) and the number."""
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        query = dict(parse_qsl(parsed.query))
        number = int(query.pop("db", 0))
        rest = f"?{urlencode(query)}" if query else ""
        return f"unix://{parsed.path}{rest}", number
    return urlunparse(parsed._replace(path="")), int(parsed.path.strip("/") or 0)


def _next_database(url: str) -> str:
    server, number = redis_database(url)
    # Redis has 16 databases unless configured otherwise.
    following = (number + 1) % 16
    if server.startswith("unix://"):
        return f"{server}{'&' if '?' in server else '?'}db={following}"
    return f"{server}/{following}"


# The cache lives apart from the broker's queues: clearing the cache (FLUSHDB, as
# cache.clear() does) must never drop a queued mail. By default the next database of the
# same server; CACHE_URL may point anywhere else.
CACHE_URL = env_url("CACHE_URL", _next_database(REDIS_URL), schemes=REDIS_SCHEMES)
if redis_database(CACHE_URL) == redis_database(REDIS_URL):
    raise ImproperlyConfigured(
        "CACHE_URL and REDIS_URL point at the same Redis database; clearing the cache would "
        "drop the queued tasks. Give the cache another database (e.g. /1) or server."
    )
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "lms"),
    }
}


def _broker_url(redis_url: str) -> str:
    # Kombu names the Unix-socket transport differently from redis-py.
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


CELERY_BROKER_URL = _broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"outbox.*": {"queue": "mail"}}
# Redis redelivers an unacknowledged task after this many seconds; longer than any task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}

# --- Accounts -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Leren met de Stad: "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_RATE_LIMITS = {
    # allauth counts these in the cache, which is Redis, so they hold across processes.
    # Strict per address ("key") or account, generous per IP: a class behind one school
    # network signs up and logs in within the same minute.
    "login": "300/m/ip",
    "login_failed": "100/m/ip,5/5m/key",
    "signup": "100/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "100/m/ip,3/m/key",
    "reset_password_from_key": "100/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", default=True)
if not ACCOUNT_RATE_LIMITS_ENABLED:
    ACCOUNT_RATE_LIMITS = False

# --- Two factors: a code from an authenticator app, and recovery codes for a lost phone ----
# No passkeys or security keys (webauthn) yet: an app and printed codes work for everyone.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Leren met de Stad"
# One step of 30 seconds either way, as RFC 6238 (section 5.2) advises: a phone whose clock
# is a little off, or a code typed just as the app shows the next one, still works. Each
# code is still accepted only once.
MFA_TOTP_TOLERANCE = 1

# --- Institutional sign-on: SURFconext through allauth's OpenID Connect provider ------------
# Off (no button, no provider) while SURFCONEXT_CLIENT_ID is empty. README.md, "Signing in
# with SURFconext", says what to register at SURF.
SURFCONEXT_CLIENT_ID = env_str("SURFCONEXT_CLIENT_ID", "")
SURFCONEXT_CLIENT_SECRET = env_str("SURFCONEXT_CLIENT_SECRET", "")
SURFCONEXT_SERVER_URL = env_url(
    "SURFCONEXT_SERVER_URL", SURFCONEXT_ISSUER, schemes={"https", "http"}
).rstrip("/")
SURFCONEXT_ENABLED = bool(SURFCONEXT_CLIENT_ID)
if SURFCONEXT_ENABLED and not SURFCONEXT_CLIENT_SECRET:
    raise ImproperlyConfigured(
        "SURFCONEXT_CLIENT_SECRET must be set when SURFCONEXT_CLIENT_ID is set."
    )
if SURFCONEXT_ENABLED and urlparse(SURFCONEXT_SERVER_URL).scheme != "https" and not DEBUG:
    raise ImproperlyConfigured(
        f"SURFCONEXT_SERVER_URL must start with https:// when DEBUG is off; "
        f"got {SURFCONEXT_SERVER_URL!r}."
    )
SOCIALACCOUNT_PROVIDERS = (
    surfconext_providers(
        client_id=SURFCONEXT_CLIENT_ID,
        secret=SURFCONEXT_CLIENT_SECRET,
        server_url=SURFCONEXT_SERVER_URL,
    )
    if SURFCONEXT_ENABLED
    else {}
)
SOCIALACCOUNT_ADAPTER = "accounts.sso.InstitutionAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "accounts.sso.InstitutionSignupForm"}
# A first sign-in always shows one short form: SURFconext does not send a name (we do not
# ask it for one), and our own sign-up asks everyone for the name others will see.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_REQUIRED = True
# The access token is used once, to read the claims, and never kept.
SOCIALACCOUNT_STORE_TOKENS = False
# A first sign-in links to an existing account only when the address is verified on both
# sides: by SURFconext or the institution that signed the person in, and by our own records
# (accounts.sso.InstitutionAccountAdapter, which replaces allauth's EMAIL_AUTHENTICATION
# rule); the link is then saved at once.
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True

# --- Internationalisation: Dutch first, English by choice -----------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lms_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are never served as static files: only views that check who may see them hand
# them out, so MEDIA_URL is deliberately unset.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
CHALLENGE_ATTACHMENT_MAX_BYTES = env_int(
    "CHALLENGE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Email: every message goes through the outbox table -----------------------------
_email_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_email_use_tls = env_bool("EMAIL_USE_TLS", default=False)
_email_use_ssl = env_bool("EMAIL_USE_SSL", default=False)
if _email_use_tls and _email_use_ssl:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on.")
_smtp_options = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25, minimum=1),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": _email_use_tls,
    "use_ssl": _email_use_ssl,
    "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
}
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": _smtp_options if _email_backend.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Leren met de Stad <noreply@lerenmetdestad.nl>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# The domain in every Message-ID, so replies and retries stay recognisable.
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN", _site.hostname)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 5, minimum=1)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 50, minimum=1)  # mails per SMTP connection
# After a failed attempt the outbox waits OUTBOX_RETRY_BACKOFF * 2**(attempt - 1) seconds,
# at most OUTBOX_RETRY_BACKOFF_MAX, before the next one.
OUTBOX_RETRY_BACKOFF = env_int("OUTBOX_RETRY_BACKOFF", 30, minimum=1)
OUTBOX_RETRY_BACKOFF_MAX = env_int("OUTBOX_RETRY_BACKOFF_MAX", 60 * 60, minimum=1)
# The periodic sweep hands a queued message to a worker again when no task took it within
# this many seconds (the task was lost, or the broker was down when it was queued).
OUTBOX_SWEEP_GRACE = env_int("OUTBOX_SWEEP_GRACE", 60, minimum=10)
# A message still `sending` after this many seconds is presumed lost with its worker and is
# queued again. It must be longer than a task may run, or a slow but live send would be
# started a second time.
OUTBOX_SENDING_TIMEOUT = env_int("OUTBOX_SENDING_TIMEOUT", 15 * 60, minimum=60)
if OUTBOX_SENDING_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"OUTBOX_SENDING_TIMEOUT must be longer than the task time limit "
        f"({CELERY_TASK_TIME_LIMIT} seconds); got {OUTBOX_SENDING_TIMEOUT}."
    )

# --- Projects -------------------------------------------------------------------------
# How many groups a student may rank in preference mode.
PREFERENCE_MAX_CHOICES = env_int("PREFERENCE_MAX_CHOICES", 5, minimum=1)
HOURS_LINK_MAX_AGE_DAYS = env_int("HOURS_LINK_MAX_AGE_DAYS", 30, minimum=1)
# How much each extra level (mbo, hbo, university) in a team is worth when places are
# allocated, in hundredths of one step down a student's list: 50 trades one student's next
# choice for two teams that mix; 0 switches mixing off. Placing students always comes first.
ALLOCATION_MIXING_WEIGHT = env_int("ALLOCATION_MIXING_WEIGHT", 50, minimum=0)

# --- Reminders ------------------------------------------------------------------------
# When each reminder becomes due. A periodic scan sends what is due and not yet sent
# (outbox.reminders), so changing a timing takes effect at the next scan.
REMINDER_EVENT_BEFORE_HOURS = env_int("REMINDER_EVENT_BEFORE_HOURS", 24, minimum=1)
REMINDER_EVENT_DEADLINE_BEFORE_HOURS = env_int(
    "REMINDER_EVENT_DEADLINE_BEFORE_HOURS", 48, minimum=1
)
REMINDER_REGISTRATION_CLOSING_BEFORE_HOURS = env_int(
    "REMINDER_REGISTRATION_CLOSING_BEFORE_HOURS", 48, minimum=1
)
REMINDER_COHORT_START_BEFORE_DAYS = env_int("REMINDER_COHORT_START_BEFORE_DAYS", 3, minimum=1)
REMINDER_HANDOVER_BEFORE_DAYS = env_int("REMINDER_HANDOVER_BEFORE_DAYS", 14, minimum=1)
# Requests after a group ends (reflection, feedback) and impact check-ins go out while they
# are at most this many days overdue; a platform down for longer does not send stale ones.
REMINDER_GRACE_DAYS = env_int("REMINDER_GRACE_DAYS", 30, minimum=1)

# --- Partner organisations ------------------------------------------------------------
# How many days the signed link in an invitation to join an organisation stays valid.
PARTNER_INVITATION_MAX_AGE_DAYS = env_int("PARTNER_INVITATION_MAX_AGE_DAYS", 14, minimum=1)

# --- Privacy: how long data is kept (the privacy statement names both) -------------------
# Accounts nobody signed in to for this many days are anonymised by the retention job.
ACCOUNT_RETENTION_DAYS = env_int("ACCOUNT_RETENTION_DAYS", 3 * 365, minimum=1)
# Files attached to a challenge are deleted this many days after the challenge ended.
CHALLENGE_ATTACHMENT_RETENTION_DAYS = env_int("CHALLENGE_ATTACHMENT_RETENTION_DAYS", 365, minimum=1)

# --- Security: safe by default, relaxed only for local development ------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    # Only when a proxy we run sets this header; otherwise clients could spoof HTTPS.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # The SURFconext button posts to our own login view, which redirects to the provider;
    # browsers hold that redirect to form-action too.
    "form-action": [CSP.SELF, *([origin(SURFCONEXT_SERVER_URL)] if SURFCONEXT_ENABLED else [])],
    "frame-ancestors": [CSP.NONE],
}

# --- Logging: one JSON object per line in production -------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {LOG_LEVEL!r}."
    )
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain; got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # django.request adds the request itself, whose text is its path with any token;
            # the message already names the path, redacted.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
        "plain": {
            "()": "lerenmetdestad.request_id.PlainFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    # Request lines carry tokens in paths (reset links, feeds): every handler that prints
    # them takes those out (lerenmetdestad/log_redaction.py; gunicorn: Dockerfile).
    "filters": {
        "redact_tokens": {"()": "lerenmetdestad.log_redaction.RedactTokensFilter"},
        # Every line says which request wrote it (lerenmetdestad/request_id.py).
        "request_id": {"()": "lerenmetdestad.request_id.RequestIdFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact_tokens", "request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # runserver's request lines, through our handler instead of Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"level": "ERROR", "propagate": True},
        "django.db.backends": {"level": "WARNING", "propagate": True},
    },
}

ADMINS = [("Leren met de Stad", a) for a in env_list("ADMIN_EMAILS", [])]
