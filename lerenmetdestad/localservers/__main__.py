"""python -m lerenmetdestad.localservers {postgres,redis,web,worker,beat,run,exec -- CMD...}"""

import logging
import signal
import sys
from collections.abc import Callable

from lerenmetdestad.localservers import postgres, processes, redis, supervise

COMMANDS: dict[str, Callable[[], int]] = {
    "postgres": postgres.serve,
    "redis": redis.serve,
    "web": processes.web,
    "worker": processes.worker,
    "beat": processes.beat,
    "run": supervise.run,
}
USAGE = (
    "usage: python -m lerenmetdestad.localservers "
    f"{{{','.join(COMMANDS)}}} | exec -- COMMAND [ARGS...]"
)


def main(argv: list[str]) -> int:
    try:
        match argv:
            case ["exec", "--", *command] | ["exec", *command]:
                return supervise.exec_command(command)
            case [name] if name in COMMANDS:
                return COMMANDS[name]()
            case _:
                raise SystemExit(USAGE)
    except KeyboardInterrupt:
        # Ctrl-C (or SIGTERM in `exec`) before the servers were up: no traceback.
        return 128 + signal.SIGINT


if __name__ == "__main__":
    # Plain lines on stdout: under `run`, honcho adds the time and the process name.
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    sys.exit(main(sys.argv[1:]))
