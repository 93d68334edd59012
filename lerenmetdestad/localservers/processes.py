"""The application processes of `make run`: each waits for the database and Redis, then
becomes the Django dev server, the Celery worker or Celery beat.

They wait through Django's own settings, so they wait for exactly what the application
will use: the embedded servers or whatever DATABASE_URL and REDIS_URL point to.
"""

import os
import sys
import time
from collections.abc import Callable
from typing import NoReturn

import django
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection

from lerenmetdestad.env import env_int
from lerenmetdestad.localservers import paths, redis

WAIT_TIMEOUT = 180.0


def web() -> NoReturn:
    """Migrate, load the demo data, then become `runserver` on 127.0.0.1:$PORT."""
    port = env_int("PORT", 8000, minimum=1)
    _wait_for_database_and_redis()
    call_command("migrate", interactive=False)
    # Every start, not only the first: seed_demo adds only what is missing, and it prints
    # the demo logins, which is what a newcomer looks for in the output.
    call_command("seed_demo")
    connection.close()
    _become(sys.executable, str(paths.BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}")


def worker() -> NoReturn:
    _wait_for_database_and_redis()
    _become(
        sys.executable, "-m", "celery", "-A", "lerenmetdestad",
        "worker", "-Q", "default,mail", "-c", "2", "--loglevel", "INFO",
    )  # fmt: skip


def beat() -> NoReturn:
    _wait_for_database_and_redis()
    schedule = paths.data_dir() / "celerybeat-schedule"
    _become(
        sys.executable, "-m", "celery", "-A", "lerenmetdestad",
        "beat", "--schedule", str(schedule), "--loglevel", "INFO",
    )  # fmt: skip


def _wait_for_database_and_redis() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerenmetdestad.settings")
    django.setup()
    wait_until("the database", _database_answers)
    wait_until("Redis", lambda: redis.answers(settings.REDIS_URL))


def wait_until(what: str, answers: Callable[[], bool], timeout: float = WAIT_TIMEOUT) -> None:
    """Poll `answers` until it is true; stop the process after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not answers():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def _database_answers() -> bool:
    try:
        connection.ensure_connection()
    except OperationalError:
        return False
    return True


def _become(*command: str) -> NoReturn:
    # exec, so that signals reach the server itself and no wrapper stays behind.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], list(command))  # noqa: S606
