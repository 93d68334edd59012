"""Benchmark of the Meet & Match schedule builder (matching.core.schedule), without Django.

Run from the repository root:

    .venv/bin/python -m bench.schedule            # everything, a few minutes
    .venv/bin/python -m bench.schedule --quick    # fewer sizes and small instances

It builds schedules for synthetic events (100, 1,000 and 5,000 people, 8 rounds, tables for
2 and for 4, and one event with fewer seats than people) and prints, as markdown tables: the
time to build (wall and CPU, best of --repeat runs), the peak memory (Python's tracemalloc
peak during the build, and the maximum resident size of a fresh process that did one build),
the share of mutual and one-sided wishes met, empty seats and rounds off. Each size runs in a
fresh process, so one size's memory does not count for the next.

Then it compares the builder with the exact optimum (matching.core.schedule_exact, CP-SAT) on
small events of 8 to 12 people: with the rule the builder keeps (rounds off at most one
apart) and without it, which shows what that rule costs.

Synthetic people: roles 30 % researchers, 20 % lecturers, 35 % practitioners, 15 % students;
one to three of 12 themes, some themes more popular than others; the event is about two of
them; zero to five wishes each, aimed more often at popular people, about a third of them
returned (so mutual); one in ten would rather not meet one other person.
"""

import argparse
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from itertools import combinations

from events.schedule_input import Participant, ScheduleProblem, Theme
from matching.core.schedule import build_schedule
from matching.core.schedule_exact import solve_exact

ROLES = ("researcher", "lecturer", "practitioner", "student")
ROLE_WEIGHTS = (30, 20, 35, 15)
THEMES = tuple(Theme(pk, f"Thema {pk}") for pk in range(1, 13))
EVENT_THEMES = frozenset({1, 2})

SIZES = ((100, 2), (100, 4), (1000, 2), (1000, 4), (5000, 2), (5000, 4))
QUICK_SIZES = ((100, 2), (1000, 2), (1000, 4))
SMALL = ((8, 3, 2, 4), (10, 3, 2, 5), (12, 2, 2, 6), (10, 3, 2, 4), (9, 2, 3, 3), (8, 2, 4, 2))


def synthetic_event(
    n: int, *, rounds: int = 8, seats: int = 2, tables: int | None = None, seed: int = 1
) -> ScheduleProblem:
    """An event as described in the module docstring; the same for the same arguments."""
    rng = random.Random(seed)
    ids = list(range(1, n + 1))
    theme_weights = [1 / k for k in range(1, len(THEMES) + 1)]
    popularity = [rng.paretovariate(1.5) for _ in ids]
    wants: dict[int, set[int]] = {pk: set() for pk in ids}
    for pk in ids:
        for other in rng.choices(ids, weights=popularity, k=rng.randint(0, 5)):
            if other != pk:
                wants[pk].add(other)
    for pk in ids:
        for other in list(wants[pk]):
            if rng.random() < 1 / 3:
                wants[other].add(pk)
    people = []
    for pk in ids:
        rather_not = set()
        if rng.random() < 0.1:
            rather_not = {rng.choice([o for o in ids if o != pk and o not in wants[pk]])}
        themes = {t.id for t in rng.choices(THEMES, weights=theme_weights, k=rng.randint(1, 3))}
        people.append(
            Participant(
                id=pk,
                role=rng.choices(ROLES, weights=ROLE_WEIGHTS)[0],
                name=f"Persoon {pk}",
                theme_ids=frozenset(themes),
                wants=frozenset(wants[pk] - rather_not),
                rather_not=frozenset(rather_not),
            )
        )
    return ScheduleProblem(
        event_id=1,
        rounds=rounds,
        tables=tables or math.ceil(n / seats),
        seats_per_table=seats,
        participants=tuple(people),
        themes=THEMES,
        event_theme_ids=EVENT_THEMES,
    )


def figures(problem: ScheduleProblem, schedule) -> dict:
    met = Counter(
        frozenset(pair) for t in schedule.tables for pair in combinations(t.participant_ids, 2)
    )
    mutual = problem.mutual_wishes()
    one_sided = {frozenset((p.id, o)) for p in problem.participants for o in p.wants} - mutual
    seats = problem.rounds * problem.tables * problem.seats_per_table
    seated = sum(len(t.participant_ids) for t in schedule.tables)
    idle = Counter({p.id: 0 for p in problem.participants})
    idle.update(pk for rest in schedule.idle for pk in rest)
    # At most this many mutual wishes can be met: each person meets at most
    # rounds x (seats_per_table - 1) people, and each met wish takes one of two people's.
    degree = Counter(pk for pair in mutual for pk in pair)
    room = problem.rounds * (problem.seats_per_table - 1)
    return {
        "mutual": len(mutual),
        "mutual_bound": sum(min(d, room) for d in degree.values()) // 2,
        "mutual_met": len(mutual & met.keys()),
        "one_sided": len(one_sided),
        "one_sided_met": len(one_sided & met.keys()),
        "empty_seats": seats - seated,
        "seats": seats,
        "rounds_off": sum(idle.values()),
        "rounds_off_spread": max(idle.values()) - min(idle.values()),
        "repeats": sum(1 for count in met.values() if count > 1),
        "objective": schedule.objective,
    }


def one_size(n: int, seats: int, tables: int | None, repeat: int) -> dict:
    """Build one size `repeat` times and once more under tracemalloc; in this process."""
    problem = synthetic_event(n, seats=seats, tables=tables)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        schedule = build_schedule(problem)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    build_schedule(problem)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "n": n,
        "seats_per_table": seats,
        "tables": problem.tables,
        "wall_s": min(walls),
        "cpu_s": min(cpus),
        "traced_peak_mb": peak / 2**20,
        "rss_before_mb": rss_before / 1024,
        "rss_max_mb": rss_after / 1024,
        **figures(problem, schedule),
    }


def in_fresh_process(n: int, seats: int, tables: int | None, repeat: int) -> dict:
    command = [sys.executable, "-m", "bench.schedule", "--one", str(n), str(seats)]
    command += ["--tables", str(tables or 0), "--repeat", str(repeat)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(result.stdout)


def gaps(instances: int) -> list[dict]:
    """The builder against the exact optimum, with and without the rule on rounds off."""
    rows = []
    for n, rounds, seats, tables in SMALL:
        ratios, unfair_ratios, optimal, seconds = [], [], 0, []
        for seed in range(instances):
            problem = synthetic_event(n, rounds=rounds, seats=seats, tables=tables, seed=seed)
            start = time.perf_counter()
            schedule = build_schedule(problem)
            seconds.append(time.perf_counter() - start)
            fair = solve_exact(problem, time_limit_s=120)
            unfair = solve_exact(problem, fair=False, time_limit_s=120)
            optimal += fair.optimal and unfair.optimal
            ratios.append(schedule.objective / fair.objective)
            unfair_ratios.append(schedule.objective / unfair.objective)
        rows.append(
            {
                "case": f"{n} people, {rounds} rounds, {tables} tables for {seats}",
                "instances": instances,
                "optimal": optimal,
                "worst": min(ratios),
                "mean": statistics.mean(ratios),
                "worst_unfair": min(unfair_ratios),
                "mean_unfair": statistics.mean(unfair_ratios),
                "builder_s": statistics.mean(seconds),
            }
        )
    return rows


def print_sizes(rows: list[dict]) -> None:
    print("| people | seats/table | tables | wall s | CPU s | traced peak MB | max RSS MB "
          "(after imports) | mutual wishes met (at most) | one-sided met | empty seats "
          "| rounds off (spread) |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['n']:,} | {r['seats_per_table']} | {r['tables']} | {r['wall_s']:.2f} "
            f"| {r['cpu_s']:.2f} | {r['traced_peak_mb']:.0f} "
            f"| {r['rss_max_mb']:.0f} ({r['rss_before_mb']:.0f}) "
            f"| {r['mutual_met']}/{r['mutual']} ({r['mutual_bound']}) "
            f"| {r['one_sided_met'] / max(r['one_sided'], 1):.1%} "
            f"| {r['empty_seats']} of {r['seats']} "
            f"| {r['rounds_off']} ({r['rounds_off_spread']}) |"
        )
        assert r["repeats"] == 0  # noqa: S101 (a broken rule must not pass as a figure)


def print_gaps(rows: list[dict]) -> None:
    print("| small event | instances | optimal | worst | mean | worst, no rule on rounds off "
          "| mean, no rule | builder s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['case']} | {r['instances']} | {r['optimal']} | {r['worst']:.1%} "
            f"| {r['mean']:.1%} | {r['worst_unfair']:.1%} | {r['mean_unfair']:.1%} "
            f"| {r['builder_s']:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--instances", type=int, default=10, help="small events per case")
    parser.add_argument("--one", nargs=2, type=int, metavar=("PEOPLE", "SEATS"))
    parser.add_argument("--tables", type=int, default=0)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(*args.one, args.tables or None, args.repeat)))
        return
    sizes = [(n, seats, None) for n, seats in (QUICK_SIZES if args.quick else SIZES)]
    sizes.append((1000, 2, 450))  # 900 seats for 1,000 people
    rows = []
    for n, seats, tables in sizes:
        repeat = 1 if n > 1000 else args.repeat
        rows.append(in_fresh_process(n, seats, tables, repeat))
    print(f"Schedules, 8 rounds (Python {sys.version.split()[0]}):\n")
    print_sizes(rows)
    print("\nAgainst the exact optimum (CP-SAT), share of its points:\n")
    print_gaps(gaps(3 if args.quick else args.instances))


if __name__ == "__main__":
    main()
