"""Settings for the test suite: the real settings with a test secret and local-only tweaks.

Everything else, PostgreSQL and Redis included, is what production uses.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-secret-key-not-for-production-0123456789")
os.environ.setdefault("CACHE_KEY_PREFIX", "lms-test")

from lerenmetdestad.env import env_bool
from lerenmetdestad.sealing import key_from_secret_key
from lerenmetdestad.settings import *  # noqa: F403

# Tests run with DEBUG off, as production does, but need no key of their own.
if not SEALING_KEYS:  # noqa: F405
    SEALING_KEYS = [key_from_secret_key(SECRET_KEY)]  # noqa: F405

# Plain HTTP on the test client and live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Collected, hashed static files are a deploy step; tests serve from the source folders.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Argon2 is slow on purpose; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The real Celery worker that tests/fixtures/celery_worker.py starts sets this flag, so it
# keeps the SMTP mailer lerenmetdestad.settings built from EMAIL_BACKEND/EMAIL_HOST/EMAIL_PORT
# (a local test SMTP server). The test process itself always sends to locmem: Django's test
# runner replaces MAILERS with locmem whatever this says.
if not env_bool("TEST_MAILERS_FROM_ENV", default=False):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = DATA_DIR / "test-media"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
