"""Settings come from the environment and a bad value stops start-up with a clear message."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from lerenmetdestad.env import env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parents[2]


def reachable_database_url() -> str:
    """A URL of the PostgreSQL the tests use: some model checks (generated columns) ask the
    server for its version, so `check` needs a database that answers."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "localhost", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{db['USER']}@{host}{port}/postgres"


PRODUCTION_ENV = {
    "SECRET_KEY": "Zq8!pL2#vR7@nW4$tY6^uI1&oP3*aS5(dF9)gH0_jK-lM+xC-production-like-key",
    "ALLOWED_HOSTS": "lerenmetdestad.nl",
    "SITE_URL": "https://lerenmetdestad.nl",
    "DATABASE_URL": reachable_database_url(),
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "true",
    "SEALING_KEYS": "kG8m0pZb6N9s1H3qV5tX7wY2cE4rT6uI8oP0aS2dF4g=",
}


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in _SETTING_NAMES}
    clean |= {"DJANGO_SETTINGS_MODULE": "lerenmetdestad.settings"} | env
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_SETTING_NAMES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL",
    "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_BACKEND",
    "LOG_LEVEL", "LOG_FORMAT", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SURFCONEXT_CLIENT_ID", "SURFCONEXT_CLIENT_SECRET", "SURFCONEXT_SERVER_URL",
    "SEALING_KEYS", "CACHE_URL",
}  # fmt: skip


@pytest.mark.integration
def test_check_deploy_passes_with_production_environment():
    result = run_django(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.integration
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "DEBUG",
            "perhaps",
            "DEBUG must be one of 1/0, true/false, yes/no, on/off; got 'perhaps'.",
        ),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number; got 'twenty-five'."),
        ("SECURE_HSTS_SECONDS", "-1", "SECURE_HSTS_SECONDS must be at least 0; got -1."),
        (
            "DATABASE_URL",
            "mysql://root@db/lms",
            (
                "DATABASE_URL must be a URL starting with one of pgsql, postgres, postgresql; "
                "got 'mysql://root@db/lms'."
            ),
        ),
        ("SITE_URL", "https://", "SITE_URL must include a host; got 'https://'."),
        (
            "SEALING_KEYS",
            "kG8m0pZb6N9s1H3qV5tX7wY2cE4rT6uI8oP0aS2dF4g=,geheim",
            (
                "SEALING_KEYS: key 2 is not a Fernet key (32 bytes in url-safe base64, "
                "as `Fernet.generate_key()` makes)."
            ),
        ),
        (
            "LOG_LEVEL",
            "LOUD",
            "LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got 'LOUD'.",
        ),
    ],
)
def test_bad_setting_stops_start_up_with_a_clear_message(name, value, message):
    result = run_django(PRODUCTION_ENV | {name: value}, "check")

    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


@pytest.mark.integration
def test_missing_secret_key_stops_production_start_up():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}

    result = run_django(env, "check")

    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off." in result.stderr


@pytest.mark.integration
def test_missing_sealing_keys_stop_production_migrate_and_check():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SEALING_KEYS"}

    result = run_django(env, "check")

    assert result.returncode == 1
    assert "?: (lerenmetdestad.E001) SEALING_KEYS is not set." in result.stderr


@pytest.mark.integration
def test_tls_and_ssl_together_are_refused():
    result = run_django(PRODUCTION_ENV | {"EMAIL_USE_SSL": "1"}, "check")

    assert result.returncode == 1
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on." in result.stderr


@pytest.mark.unit
def test_env_readers_parse_good_values(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    monkeypatch.setenv("COUNT", "12")
    monkeypatch.setenv("HOSTS", " a.nl, b.nl ,,")
    monkeypatch.setenv("URL", "https://lerenmetdestad.nl")

    assert env_bool("FLAG") is True
    assert env_int("COUNT", 3, minimum=1) == 12
    assert env_list("HOSTS", []) == ["a.nl", "b.nl"]
    assert env_url("URL", None, schemes={"https"}) == "https://lerenmetdestad.nl"
    assert env_int("MISSING_NUMBER", 7) == 7


@pytest.mark.unit
def test_env_bool_refuses_words_it_does_not_know(monkeypatch):
    monkeypatch.setenv("FLAG", "misschien")

    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("FLAG")

    assert (
        str(error.value) == "FLAG must be one of 1/0, true/false, yes/no, on/off; got 'misschien'."
    )


@pytest.mark.integration
def test_production_settings_are_safe_by_default():
    result = run_django(
        PRODUCTION_ENV,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.TIME_ZONE, "
        "s.LANGUAGE_CODE, *s.SECURE_CSP['script-src'])",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False True True True 31536000 Europe/Amsterdam nl 'self' <CSP_NONCE_SENTINEL>"
    )


SURFCONEXT_PRINT = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps([s.SOCIALACCOUNT_PROVIDERS, s.SECURE_CSP['form-action']]))"
)


@pytest.mark.integration
def test_surfconext_is_off_without_a_client_id():
    result = run_django(PRODUCTION_ENV, "shell", "--no-imports", "-c", SURFCONEXT_PRINT)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{}, ["'self'"]]


@pytest.mark.integration
def test_surfconext_settings_make_one_app_with_only_the_needed_scopes():
    env = PRODUCTION_ENV | {
        "SURFCONEXT_CLIENT_ID": "lerenmetdestad.nl",
        "SURFCONEXT_CLIENT_SECRET": "s3cret-from-the-sp-dashboard",
    }

    result = run_django(env, "shell", "--no-imports", "-c", SURFCONEXT_PRINT)

    assert result.returncode == 0, result.stderr
    providers, form_action = json.loads(result.stdout)
    assert providers == {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "surfconext",
                    "name": "SURFconext",
                    "client_id": "lerenmetdestad.nl",
                    "secret": "s3cret-from-the-sp-dashboard",
                    "settings": {
                        "server_url": "https://connect.surfconext.nl",
                        "scope": ["openid", "email"],
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }
    # The button's form is redirected to SURFconext, which the policy must allow.
    assert form_action == ["'self'", "https://connect.surfconext.nl"]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SURFCONEXT_CLIENT_ID": "lerenmetdestad.nl"},
            "SURFCONEXT_CLIENT_SECRET must be set when SURFCONEXT_CLIENT_ID is set.",
        ),
        (
            {
                "SURFCONEXT_CLIENT_ID": "lerenmetdestad.nl",
                "SURFCONEXT_CLIENT_SECRET": "geheim",
                "SURFCONEXT_SERVER_URL": "http://connect.test.surfconext.nl",
            },
            (
                "SURFCONEXT_SERVER_URL must start with https:// when DEBUG is off; "
                "got 'http://connect.test.surfconext.nl'."
            ),
        ),
        (
            {"SURFCONEXT_SERVER_URL": "connect.surfconext.nl"},
            (
                "SURFCONEXT_SERVER_URL must be a URL starting with one of http, https; "
                "got 'connect.surfconext.nl'."
            ),
        ),
    ],
    ids=["id-without-secret", "plain-http", "no-scheme"],
)
def test_bad_surfconext_setting_stops_start_up_with_a_clear_message(env, message):
    result = run_django(PRODUCTION_ENV | env, "check")

    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr
