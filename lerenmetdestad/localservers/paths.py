"""Where the local servers keep their data and sockets: the same places settings.py uses.

Django settings need a SECRET_KEY unless DEBUG is on, so these paths are computed here from
the same environment variable and default instead of being read from django.conf.
"""

import importlib.util
import os
import sys
from pathlib import Path

from lerenmetdestad.env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The database that settings.py connects to when DATABASE_URL is unset.
DATABASE_NAME = "lerenmetdestad"
DATABASE_USER = "postgres"
# struct sockaddr_un holds 108 bytes on Linux and 104 on macOS, one of them the final NUL.
MAX_SOCKET_PATH = 103 if sys.platform == "darwin" else 107


def data_dir() -> Path:
    # Absolute, because settings.py hands DATA_DIR/run to libpq as the host, and a relative
    # path there would be taken for a host name.
    return Path(env_str("DATA_DIR", str(BASE_DIR / ".data"))).resolve()


def run_dir() -> Path:
    return data_dir() / "run"


def postgres_socket() -> Path:
    # PostgreSQL names its socket after the port, which stays 5432 with TCP switched off.
    return run_dir() / ".s.PGSQL.5432"


def redis_socket() -> Path:
    return run_dir() / "redis.sock"


def require_short_socket_path(socket: Path) -> None:
    """Stop with a clear message when a Unix socket path would be cut off by the kernel."""
    length = len(os.fsencode(socket))
    if length > MAX_SOCKET_PATH:
        raise SystemExit(
            f"The socket path {socket} is {length} bytes long; Unix sockets allow at most "
            f"{MAX_SOCKET_PATH}. Set DATA_DIR to a shorter directory, e.g. DATA_DIR=/tmp/lms."
        )


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{name} is not installed: run `make install`.")
    return Path(spec.origin).parent
