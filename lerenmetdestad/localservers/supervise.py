"""`run`: the Procfile's processes under honcho. `exec`: one command with the servers it needs."""

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

from lerenmetdestad.localservers import paths, postgres, redis
from lerenmetdestad.localservers.processes import wait_until

STOP_TIMEOUT = 30.0


def run() -> int:
    """Start the Procfile's processes; the first to stop, or Ctrl-C, stops them all."""
    os.environ.setdefault("DEBUG", "1")
    _share_environment()
    manager = Manager(Printer(sys.stdout))
    procfile = parse_procfile((paths.BASE_DIR / "Procfile").read_text())
    skipped = _provided_from_outside()
    for name, command in procfile.processes.items():
        if name not in skipped:
            manager.add_process(name, command, env=os.environ.copy(), cwd=str(paths.BASE_DIR))
    # honcho handles SIGINT and SIGTERM; a closed terminal (SIGHUP) would otherwise kill
    # honcho alone and leave its children, each in its own session, running.
    signal.signal(signal.SIGHUP, lambda signum, frame: manager.terminate())
    manager.loop()
    return manager.returncode or 0


def exec_command(command: list[str]) -> int:
    """Run `command` with the embedded servers that DATABASE_URL/REDIS_URL leave out.

    Servers that already answer (a `make run` in another terminal) are used, not started.
    Those started here are stopped afterwards, also on failure or Ctrl-C.
    """
    if not command:
        raise SystemExit("usage: python -m lerenmetdestad.localservers exec -- COMMAND...")
    wanted = {"postgres": postgres.answers, "redis": redis.answers}
    missing = {
        name: check for name, check in wanted.items() if name not in _provided_from_outside()
    }
    if not missing:
        os.execvpe(command[0], command, _command_environment())  # noqa: S606
    _share_environment()
    # SIGTERM, like Ctrl-C, must reach the `finally` below that stops the servers.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, answers in missing.items():
            if not answers():
                started[name] = _start_in_background(name)
        for name, answers in missing.items():
            wait_until(f"The embedded {name}", _or_fail_early(answers, started), timeout=120)
        return _run_in_foreground(command)
    finally:
        for server in started.values():
            _stop(server)


def _provided_from_outside() -> set[str]:
    return {
        name
        for name, variable in (("postgres", "DATABASE_URL"), ("redis", "REDIS_URL"))
        if os.environ.get(variable)
    }


def _share_environment() -> None:
    # Children resolve the same absolute DATA_DIR, print without buffering (honcho shows
    # lines as they come), and find the virtualenv's python and celery first on PATH.
    os.environ["DATA_DIR"] = str(paths.data_dir())
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])


def _log_file(name: str) -> Path:
    logs = paths.data_dir() / "log"
    logs.mkdir(parents=True, exist_ok=True)
    return logs / f"{name}.log"


def _start_in_background(name: str) -> subprocess.Popen[bytes]:
    # The same command as the Procfile's; in its own session, so that a Ctrl-C meant for
    # the command does not stop the server under it before the command has finished.
    with _log_file(name).open("wb") as log:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "lerenmetdestad.localservers", name],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=paths.BASE_DIR,
        )


def _or_fail_early(
    answers: Callable[[], bool], started: dict[str, subprocess.Popen[bytes]]
) -> Callable[[], bool]:
    """`answers`, but a server that has exited stops the wait at once, showing its log."""

    def check() -> bool:
        for name, server in started.items():
            if server.poll() is not None:
                log = _log_file(name).read_text(errors="replace")
                raise SystemExit(f"The embedded {name} stopped during start-up:\n{log[-3000:]}")
        return answers()

    return check


def _command_environment() -> dict[str, str]:
    """Our environment, minus the DJANGO_SETTINGS_MODULE that importing the lerenmetdestad
    package (its Celery app) set here as a default: pytest would take it over its own
    tests.settings. manage.py, celery and wsgi default to the same value by themselves."""
    env = dict(os.environ)
    if env.get("DJANGO_SETTINGS_MODULE") == "lerenmetdestad.settings":
        del env["DJANGO_SETTINGS_MODULE"]
    return env


def _run_in_foreground(command: list[str]) -> int:
    child = subprocess.Popen(command, env=_command_environment())  # noqa: S603
    # Ctrl-C in a terminal reaches the command by itself (same process group); we wait for
    # it to finish and clean up. A SIGTERM sent to us alone is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
    returncode = child.wait()
    # A command killed by a signal reports it the way a shell does.
    return returncode if returncode >= 0 else 128 - returncode


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
