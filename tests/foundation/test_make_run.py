"""`make run` on a machine with nothing running: it starts its own PostgreSQL and Redis,
serves the Dutch site, lets every demo role log in, stops on one Ctrl-C leaving nothing
behind, and starts again quickly with its data kept.

The runner gets no DATABASE_URL or REDIS_URL, a fresh short DATA_DIR (Unix socket paths
are limited to about 107 bytes) and a free port. `exec`, which `make test` runs its
commands in, is checked the same way.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.client import HTTPResponse
from http.cookiejar import CookieJar
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from lerenmetdestad.localservers.paths import MAX_SOCKET_PATH

FIRST_START_TIMEOUT = 180.0
SECOND_START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0
DEMO_ROLES = {"student", "partner", "researcher", "coordinator"}
# What seed_demo prints for each demo user when DEBUG is on.
DEMO_LOGIN = re.compile(r"demo login: (?P<role>\S+) (?P<email>\S+) (?P<password>\S+)\s*$", re.M)
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')
# Settings the test run itself uses; `make run` must work without them.
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "CACHE_KEY_PREFIX",
    "DEBUG",
)


@dataclass
class Runner:
    """One `python -m lerenmetdestad.localservers run`, in its own process group."""

    data_dir: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] = field(init=False)
    seen: list[psutil.Process] = field(default_factory=list)

    def start(self) -> None:
        env = environment(self.data_dir) | {"PORT": str(self.port)}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "lerenmetdestad.localservers", "run"],
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def tail(self) -> str:
        return "\n--- runner output (end) ---\n" + self.output()[-6000:]

    def wait_until_healthy(self, timeout: float) -> None:
        """Until /healthz answers 200 with the database and the broker ok."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.process.poll() is None, f"the runner stopped by itself{self.tail()}"
            try:
                status, _, body = Browser(self.url).get("/healthz")
            except OSError:
                status = None
            if status == 200:
                assert '"database": "ok"' in body, body
                assert '"broker": "ok"' in body, body
                return
            time.sleep(0.5)
        pytest.fail(f"/healthz did not answer 200 within {timeout:.0f} s{self.tail()}")

    def processes(self) -> list[psutil.Process]:
        """The runner and everything it started: honcho starts each process in its own
        session, so they are found as descendants, not by process group."""
        runner = psutil.Process(self.process.pid)
        found = [runner, *runner.children(recursive=True)]
        self.seen.extend(found)
        return found

    def interrupt(self) -> list[psutil.Process]:
        """Ctrl-C to the runner's process group; the processes still alive afterwards."""
        everything = self.processes()
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the runner did not stop within {STOP_TIMEOUT:.0f} s{self.tail()}")
        # Orphans that are exiting at this very moment get a moment to finish.
        _, alive = psutil.wait_procs(everything, timeout=5)
        return alive

    def kill_leftovers(self) -> None:
        if self.process.poll() is None:
            self.processes()
        for process in self.seen:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                continue
        if self.process.poll() is None:
            self.process.wait()


class Browser:
    """Keeps cookies and does not follow redirects, so a test sees where a redirect leads."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def get(self, path: str) -> tuple[int, str | None, str]:
        return self._open(path, None)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str | None, str]:
        return self._open(path, urllib.parse.urlencode(data).encode())

    def _open(self, path: str, body: bytes | None) -> tuple[int, str | None, str]:
        # Always http://127.0.0.1:<port>, built by Runner; never a file: or other scheme.
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        try:
            response: HTTPResponse = self._opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx and 4xx/5xx arrive here
            return error.code, error.headers.get("Location"), error.read().decode()
        with response:
            return response.status, response.headers.get("Location"), response.read().decode()

    def log_in(self, email: str, password: str) -> str | None:
        """Log in through the real allauth form; where the login redirects to."""
        status, _, page = self.get("/account/inloggen/")
        assert status == 200
        token = CSRF_TOKEN.search(page)
        assert token, "the login page has no CSRF token"
        status, location, _ = self.post(
            "/account/inloggen/",
            {"csrfmiddlewaretoken": token["token"], "login": email, "password": password},
        )
        assert status == 302, f"login of {email} answered {status}"
        return location


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def demo_logins(output: str) -> dict[str, tuple[str, str]]:
    return {m["role"]: (m["email"], m["password"]) for m in DEMO_LOGIN.finditer(output)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Whether a server could listen on `port` again, as runserver would (SO_REUSEADDR:
    the closed connections of the test client may linger in TIME_WAIT)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def in_process_group(pgid: int) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == pgid:
                found.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return found


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return env | {"DATA_DIR": str(data_dir)}


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # /tmp, not pytest's deeper tmp_path: the sockets live in DATA_DIR/run.
    path = Path(tempfile.mkdtemp(prefix="lms-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def runner(data_dir: Path, tmp_path: Path) -> Iterator[Runner]:
    runner = Runner(data_dir=data_dir, port=free_port(), log=tmp_path / "make-run.log")
    yield runner
    # Finds processes only when an assertion failed half-way.
    runner.kill_leftovers()


def assert_stopped_cleanly(runner: Runner) -> None:
    alive = runner.interrupt()
    assert [p.pid for p in alive] == [], f"processes left after Ctrl-C{runner.tail()}"
    assert in_process_group(runner.process.pid) == []
    assert port_is_free(runner.port)
    assert sorted(p.name for p in (runner.data_dir / "run").iterdir()) == []


@pytest.mark.smoke
@pytest.mark.timeout(600)
def test_make_run_serves_demo_logins_stops_cleanly_and_restarts_with_data_kept(runner):
    runner.start()
    runner.wait_until_healthy(FIRST_START_TIMEOUT)

    status, _, home = Browser(runner.url).get("/")
    assert status == 200
    assert '<html lang="nl"' in home

    logins = demo_logins(runner.output())
    assert set(logins) == DEMO_ROLES, runner.tail()
    sessions = {}
    for role, (email, password) in logins.items():
        browser = Browser(runner.url)
        assert (role, browser.log_in(email, password)) == (role, "/mijn/")
        assert browser.get("/mijn/")[0] == 200
        sessions[role] = browser

    assert_stopped_cleanly(runner)

    runner.start()
    runner.wait_until_healthy(SECOND_START_TIMEOUT)
    email, password = logins["student"]
    assert Browser(runner.url).log_in(email, password) == "/mijn/"
    # A session from the first run still opens the dashboard: the database was kept, not
    # seeded afresh (seed_demo would recreate the users, but not their sessions).
    assert sessions["coordinator"].get("/mijn/")[:2] == (200, None)

    assert_stopped_cleanly(runner)


def localservers(*arguments: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own module with arguments from this file
        [sys.executable, "-m", "lerenmetdestad.localservers", *arguments],
        cwd=settings.BASE_DIR,
        env=environment(data_dir),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


# What `make test` runs its commands in: both servers answer, and the exit code comes back.
COMMAND_SEES_BOTH_SERVERS = """
import os, sys, psycopg, redis
run = os.environ["DATA_DIR"] + "/run"
psycopg.connect(host=run, user="postgres", dbname="lerenmetdestad").execute("SELECT 1")
redis.Redis(unix_socket_path=run + "/redis.sock").ping()
sys.exit(3)
"""


@pytest.mark.smoke
def test_exec_runs_the_command_with_both_servers_and_passes_its_exit_code_through(data_dir):
    result = localservers(
        "exec", "--", sys.executable, "-c", COMMAND_SEES_BOTH_SERVERS, data_dir=data_dir
    )

    assert result.returncode == 3, result.stdout + result.stderr
    assert sorted(p.name for p in (data_dir / "run").iterdir()) == []
    left = [p.pid for p in psutil.process_iter(["cmdline"]) if str(data_dir) in str(p.info)]
    assert left == []


@pytest.mark.unit
def test_localservers_refuse_a_socket_path_longer_than_unix_sockets_allow(tmp_path):
    too_deep = tmp_path / ("d" * 110)

    result = localservers("redis", data_dir=too_deep)

    assert result.returncode == 1
    assert f"Unix sockets allow at most {MAX_SOCKET_PATH}" in result.stderr
    assert not too_deep.exists()
