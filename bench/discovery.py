"""Benchmark of the discovery page under gunicorn, against a trivial page, with 10,000 projects.

Run from the repository root (it takes two to three minutes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_e REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/discovery.py

DATABASE_URL only says which server to use: the benchmark drops and creates its own database
on it (lms_bench by default), migrates it, seeds it, starts gunicorn with two workers on a free
port on 127.0.0.1 with DEBUG off, sends a bounded number of concurrent requests from Python,
prints requests per second and the workers' memory, and drops the database again (unless
--keep). It is not part of `make test`. See bench/README.md for figures.
"""

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_SECRET_KEY = "bench-only-secret-key-never-used-anywhere-else-0123456789abcdef"  # noqa: S105

# --- Database and settings -----------------------------------------------------------------


def bench_environment(database_url: str, database: str) -> dict[str, str]:
    parsed = urlparse(database_url)
    bench_url = urlunparse(parsed._replace(path=f"/{database}"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=bench_url,
        SECRET_KEY=BENCH_SECRET_KEY,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX="lms-bench",
    )
    return env


def bench_database_name(database_url: str, name: str) -> str:
    """The benchmark's own database; never the one DATABASE_URL names, which it would drop."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"--database must be a plain lower-case name, not {name!r}")
    if name in {urlparse(database_url).path.lstrip("/"), "postgres", "template0", "template1"}:
        raise SystemExit(f"--database {name} would drop a database in use; choose another name")
    return name


def _admin_connection(database_url: str) -> psycopg.Connection:
    admin = urlunparse(urlparse(database_url)._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True)


def recreate_database(database_url: str, database: str) -> None:
    with _admin_connection(database_url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def drop_database(database_url: str, database: str) -> None:
    with _admin_connection(database_url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


# --- Serving and measuring -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    # Only ever http://127.0.0.1:<port>/..., built below.
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
        response.read()
        return response.status


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped; see its output above")
        try:
            if get(base + "/toegankelijkheid/") == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def measure(url: str, *, max_requests: int, seconds: float, concurrency: int) -> tuple[int, float]:
    """GETs `concurrency` at a time until `max_requests` are done or `seconds` have passed.
    Returns the number of requests and the requests per second."""
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds
    sent = 0
    failed = 0

    def client() -> None:
        nonlocal sent, failed
        while True:
            with lock:
                if sent >= max_requests or time.perf_counter() >= deadline:
                    return
                sent += 1
            if get(url) != 200:
                with lock:
                    failed += 1

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(client)
    elapsed = time.perf_counter() - started
    if failed:
        raise SystemExit(f"{url}: {failed} responses were not 200")
    return sent, sent / elapsed


def worker_rss(server_pid: int) -> list[int]:
    import psutil  # noqa: PLC0415

    workers = psutil.Process(server_pid).children()
    return sorted(w.memory_info().rss for w in workers)


def mib(values: list[int]) -> str:
    return ", ".join(f"{v / 2**20:.1f}" for v in values)


PAGES = {
    "static page /toegankelijkheid/": "/toegankelijkheid/",
    "/healthz (database and broker check)": "/healthz",
    "discovery, no search": "/projecten/",
    "discovery, q=eenzaamheid": "/projecten/?q=eenzaamheid",
    "discovery, q=buurt (part of a word)": "/projecten/?q=buurt",
    # A word as rare as most searches: about 4 % of the projects.
    "discovery, q=voorlezen": "/projecten/?q=voorlezen",
    "discovery, 3 filters": "/projecten/?theme=eenzaamheid&level=medium&open_places=on",
    "discovery, a page in the middle": None,  # depends on --projects
    "project page": None,  # filled in with a real slug
}
STATIC_PAGE, HEALTHZ = "static page /toegankelijkheid/", "/healthz (database and broker check)"


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lerenmetdestad.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env=env,
    )


def report(results: dict[str, list[tuple[int, float]]], rss, args, load) -> None:
    best = {name: max(rate for _, rate in runs) for name, runs in results.items()}
    print()
    print(
        f"gunicorn --workers 2 (sync), {os.cpu_count()} CPUs, {args.concurrency} requests at a "
        f"time, {args.rounds} rounds of at most {args.seconds:g} s or {args.requests} requests "
        f"per page; load average before/after: {load[0]:.1f} / {load[1]:.1f}"
    )
    print(f"{'page':<40} {'requests':>9} {'req/s':>7} {'÷ static':>9} {'÷ healthz':>10}")
    for name, runs in results.items():
        total = sum(n for n, _ in runs)
        print(
            f"{name:<40} {total:>9} {best[name]:>7.1f} {best[name] / best[STATIC_PAGE]:>9.2f} "
            f"{best[name] / best[HEALTHZ]:>10.2f}"
        )
    print()
    print("Gunicorn worker RSS in MiB:")
    for label, values in rss:
        print(f"  {label:<16} {mib(values)}")


def time_in_process(pages: dict[str, str], times: int) -> None:
    """Median time of each page through Django's test client: no HTTP and no second process,
    so it moves far less with the machine's load than the requests per second do."""
    from django.test import Client  # noqa: PLC0415 - Django is set up by now

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"\nIn this process, median of {times} after 5 warm-up requests:")
    for name, path in pages.items():
        for _ in range(5):
            client.get(path)
        durations = []
        for _ in range(times):
            start = time.perf_counter()
            response = client.get(path)
            durations.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        print(f"  {name:<40} {sorted(durations)[times // 2] * 1000:7.2f} ms")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="lms_bench")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--enrolments", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=6, help="per page, per round")
    parser.add_argument("--requests", type=int, default=1000, help="at most, per page per round")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database a --keep run left (migrated, not seeded again); implies --keep",
    )
    parser.add_argument(
        "--in-process",
        type=int,
        default=0,
        metavar="N",
        help="also time each page N times in this process (Django's test client), median in ms",
    )
    args = parser.parse_args()
    args.keep = args.keep or args.reuse
    if args.rounds < 1 or args.seconds <= 0 or args.requests < 1 or args.concurrency < 1:
        parser.error("--rounds, --seconds, --requests and --concurrency must be positive")
    return args


def run_pages(base: str, pages: dict[str, str], args, server_pid: int):
    """Warm up, then measure every page in turn, `args.rounds` times; RSS after each round."""
    for path in pages.values():  # imports, template cache, database connections
        for _ in range(10):
            get(base + quote(path, safe="/?=&"))
    rss = [("after warm-up", worker_rss(server_pid))]
    results: dict[str, list[tuple[int, float]]] = {name: [] for name in pages}
    for round_number in range(1, args.rounds + 1):
        for name, path in pages.items():
            results[name].append(
                measure(
                    base + quote(path, safe="/?=&"),
                    max_requests=args.requests,
                    seconds=args.seconds,
                    concurrency=args.concurrency,
                )
            )
        rss.append((f"after round {round_number}", worker_rss(server_pid)))
    return results, rss


def main() -> None:
    args = parse_args()

    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (any database on it).")
    database = bench_database_name(database_url, args.database)
    static_root = tempfile.mkdtemp(prefix="lms-bench-static-")
    env = bench_environment(database_url, database) | {"STATIC_ROOT": static_root}
    t0 = time.perf_counter()
    if not args.reuse:
        print(f"Database {database}: drop and create")
        recreate_database(database_url, database)

    os.environ.update(env)
    import django  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    django.setup()
    from bench.seed import seed  # noqa: PLC0415 - needs Django set up on the bench database
    from projects.models import Project  # noqa: PLC0415
    from projects.services.next_open import projects_next_open_refresh_all  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - t0:.0f} s")
    if not args.reuse:
        t1 = time.perf_counter()
        counts = seed(
            projects=args.projects, enrolments=args.enrolments, rng=random.Random(20260401)
        )
        # The seed writes cohorts with bulk_create, past the services that keep this column.
        projects_next_open_refresh_all()
        # That update left a dead version of every project row; autovacuum would clear them
        # soon on a live site, and the planner needs the column's statistics.
        with connections["default"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE projects_project")
        print(f"Seeded in {time.perf_counter() - t1:.0f} s: {counts}")
    pages = PAGES | {
        "discovery, a page in the middle": f"/projecten/?page={max(args.projects // 40, 1)}",
        "project page": Project.objects.order_by("pk").first().get_absolute_url(),
    }
    if args.in_process:
        time_in_process(pages, args.in_process)
    connections.close_all()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()[0]
    server = serve(env, port)
    try:
        wait_until_up(base, server)
        results, rss = run_pages(base, pages, args, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            drop_database(database_url, database)
    report(results, rss, args, (load_before, os.getloadavg()[0]))
    print(f"\nTotal {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
