"""Benchmark of the welfare allocation (matching.core.allocation), no Django.

    .venv/bin/python -m bench.allocation                   # 1,000 / 10,000 / 50,000 students
    .venv/bin/python -m bench.allocation --sizes 10000 --exact-limit 0   # one size, no CP-SAT

Each size runs in a fresh child process, so that its peak RSS is its own. The child builds a
seeded instance, then

1. times allocate_welfare three times (the problem is solved from scratch each time) and keeps
   the median wall and CPU (process) time; CPU time is the steadier figure when other work
   shares the machine; the three results must be equal (determinism);
2. measures memory twice: the peak RSS of the process during one allocation, less the RSS just
   before it (ru_maxrss after, minus /proc/self/statm before: everything, OR-Tools' C++ graph
   included), and tracemalloc's peak in a separate run (Python objects only; tracemalloc slows
   Python code, so that run is not timed);
3. asks CP-SAT for the exact optimum of the same problem (matching.core.exact), with the
   heuristic's result as a hint and a time limit, and reports the gap. When CP-SAT does not
   finish, the flow alone (no minimum sizes, team budgets as seat caps) still bounds it: it is
   a relaxation, so no allocation places more students, or does better with as many.

Instances: 1,000 cohorts with 4 to 10 seats and a minimum of 3; 900 of them belong to 225
partners (4 each), of which about 30 % may host only 2 or 3 teams (10 seats a team); 15 % of the
cohorts are open to hbo and wo students only. Students (40 % mbo, 35 % hbo, 25 % wo) rank 5 to
10 cohorts drawn by popularity, which follows a Zipf-like law (weight 1 / position^0.8), so a
few cohorts are wanted by many and many by few. The mixing goal is on at 50 (an extra level in a
team is worth half a rank step).
"""

import argparse
import bisect
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from itertools import accumulate
from pathlib import Path

from matching.core.allocation import (
    AllocationProblem,
    Cohort,
    Partner,
    Student,
    WelfareFlow,
    allocate_welfare,
    cost_scale,
    objective,
    unplaced_penalty,
)
from matching.core.exact import search_exact

COHORTS = 1_000
PARTNERED = 900
PER_PARTNER = 4
MIN_SIZE = 3
SEATS_PER_TEAM = 10
MIXING_WEIGHT = 50
LEVELS = (("mbo", 0.40), ("hbo", 0.35), ("wo", 0.25))


def make_problem(n_students: int, *, seed: int = 6) -> AllocationProblem:
    """A seeded, realistic instance (module docstring)."""
    rng = random.Random(seed)
    partners = tuple(
        Partner(
            id=p,
            team_budget=rng.choice((2, 3)) if rng.random() < 0.3 else PER_PARTNER,
            seats_per_team=SEATS_PER_TEAM,
        )
        for p in range(1, PARTNERED // PER_PARTNER + 1)
    )
    cohorts = tuple(
        Cohort(
            id=c,
            capacity=rng.randint(4, 10),
            partner_id=(c - 1) // PER_PARTNER + 1 if c <= PARTNERED else None,
            min_size=MIN_SIZE,
        )
        for c in range(1, COHORTS + 1)
    )
    cohort_ids = [cohort.id for cohort in cohorts]
    academic_only = frozenset(rng.sample(cohort_ids, COHORTS * 15 // 100))
    by_popularity = rng.sample(cohort_ids, COHORTS)
    cumulative = list(accumulate(1 / position**0.8 for position in range(1, COHORTS + 1)))
    levels, level_weights = zip(*LEVELS, strict=True)

    students = []
    for student_id in range(1, n_students + 1):
        wanted = rng.randint(5, 10)
        choices: list[int] = []
        while len(choices) < wanted:
            pick = bisect.bisect(cumulative, rng.random() * cumulative[-1])
            if by_popularity[pick] not in choices:
                choices.append(by_popularity[pick])
        level = rng.choices(levels, level_weights)[0]
        barred = academic_only.intersection(choices) if level == "mbo" else frozenset()
        eligible = frozenset(choices) - barred if barred else None
        students.append(
            Student(id=student_id, choices=tuple(choices), eligible=eligible, level=level)
        )
    return AllocationProblem(
        students=tuple(students),
        cohorts=cohorts,
        partners=partners,
        mixing_weight=MIXING_WEIGHT,
    )


def _rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def measure(n_students: int, *, exact_limit: float, workers: int) -> dict:
    """Figures for one size; run in a fresh process (module docstring)."""
    problem = make_problem(n_students)

    before = _rss_bytes()
    runs, cpu, results = [], [], []
    for _ in range(3):
        start, start_cpu = time.perf_counter(), time.process_time()
        results.append(allocate_welfare(problem))
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if len(results) == 1:
            # ru_maxrss is in KiB on Linux; the first run is the one that sets the peak.
            peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    allocation = results[0]
    deterministic = all(r == allocation and r.costs == allocation.costs for r in results[1:])

    tracemalloc.start()
    allocate_welfare(problem)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # The flow alone (no minimum sizes, team budgets as seat caps) is a relaxation: nothing can
    # place more students, or do better with as many.
    relaxed = WelfareFlow(problem).solve()
    n = len(problem.students)
    figures = {
        "students": n,
        "choice_arcs": sum(len(s.choices) for s in problem.students),
        "seconds": statistics.median(runs),
        "seconds_runs": runs,
        "cpu_seconds": statistics.median(cpu),
        "load_average": os.getloadavg(),
        "peak_rss_mib": peak_rss / 2**20,
        "tracemalloc_peak_mib": traced_peak / 2**20,
        "deterministic": deterministic,
        "first_choice_share": allocation.rank_histogram.get(1, 0) / n,
        "unplaced_share": len(allocation.unplaced) / n,
        "unplaced": len(allocation.unplaced),
        "total_rank_cost": allocation.total_rank_cost,
        "closed_cohorts": len(allocation.closed_cohorts),
        "costs": allocation.costs,
        "relaxation": {
            "more_placed_at_most": len(allocation.unplaced) - len(relaxed.unplaced),
            "gap_at_most": (objective(problem, allocation) - objective(problem, relaxed))
            / cost_scale(problem),
        },
        "exact": None,
    }
    if exact_limit > 0:
        search = search_exact(
            problem,
            time_limit=exact_limit,
            workers=workers,
            hint=allocation,
            min_placed=len(allocation.assignments),
        )
        ours = objective(problem, allocation)
        scale = cost_scale(problem)
        # With the hint CP-SAT starts from our allocation, so it always has one and a bound.
        bound = ours if search.bound is None else search.bound
        figures["exact"] = {
            "finished": search.optimal,
            "seconds": search.seconds,
            # In rank steps: the gap is at most this (exactly this when CP-SAT finished).
            "gap_at_most": (ours - bound) / scale,
            # Whether the bound proves that no allocation places more students than ours.
            "placements_proven": ours - bound < unplaced_penalty(problem),
            # CP-SAT's best allocation against ours, in rank steps (it places at least as many
            # students: the cut min_placed).
            "best_found_below_ours": (
                None if search.objective is None else (ours - search.objective) / scale
            ),
            "best_found_unplaced": (
                None if search.allocation is None else len(search.allocation.unplaced)
            ),
        }
    return figures


HEADER = (
    "| students | time (s) | CPU (s) | peak RSS Δ (MiB) | tracemalloc peak (MiB) | 1st choice "
    "| unplaced | closed cohorts | min sizes: extra rank cost / unplaced "
    "| team budgets: extra rank cost / unplaced | mixing: extra rank cost / mixed teams "
    "| flow solves | gap to CP-SAT |"
)


def _gap(row: dict) -> str:
    exact, relaxed = row["exact"], row["relaxation"]
    if exact is not None and exact["finished"]:
        return f"{exact['gap_at_most']:g} rank steps (CP-SAT optimal in {exact['seconds']:.0f} s)"
    if relaxed["more_placed_at_most"]:
        bound = f"at most {relaxed['more_placed_at_most']} more placed (flow relaxation)"
    else:
        bound = f"≤ {relaxed['gap_at_most']:g} rank steps (flow relaxation)"
    if exact is None:
        return f"CP-SAT not run; {bound}"
    found = exact["best_found_below_ours"]
    better = f", its best {found:g} rank steps below ours" if found else ", found nothing better"
    return f"CP-SAT did not finish in {exact['seconds']:.0f} s{better}; {bound}"


def _table(rows: list[dict]) -> str:
    lines = [HEADER, "|---:" * 12 + "|---|"]
    for r in rows:
        c = r["costs"]
        lines.append(
            f"| {r['students']:,} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} "
            f"| {r['peak_rss_mib']:.0f} | {r['tracemalloc_peak_mib']:.0f} "
            f"| {r['first_choice_share']:.1%} | {r['unplaced_share']:.1%} | {r['closed_cohorts']} "
            f"| {c['min_sizes_extra_rank_cost']:+} / {c['min_sizes_extra_unplaced']:+} "
            f"| {c['team_budgets_extra_rank_cost']:+} / {c['team_budgets_extra_unplaced']:+} "
            f"| {c['mixing_extra_rank_cost']:+} / {c['mixed_teams']} "
            f"| {c['flow_solves']} | {_gap(r)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument(
        "--exact-limit", type=float, default=60.0, help="CP-SAT seconds per size; 0 skips it"
    )
    parser.add_argument(
        "--exact-max-students",
        type=int,
        default=10_000,
        help="skip CP-SAT above this many students",
    )
    # CP-SAT's own default portfolio; fewer workers leave out the ones that find its bounds.
    parser.add_argument("--workers", type=int, default=8, help="CP-SAT workers")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one is not None:
        limit = args.exact_limit if args.one <= args.exact_max_students else 0
        print(json.dumps(measure(args.one, exact_limit=limit, workers=args.workers)))
        return

    rows = []
    for size in args.sizes:
        # A fresh interpreter per size: ru_maxrss never goes down within a process.
        child = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
            [
                sys.executable,
                "-m",
                "bench.allocation",
                "--one",
                str(size),
                "--exact-limit",
                str(args.exact_limit),
                "--exact-max-students",
                str(args.exact_max_students),
                "--workers",
                str(args.workers),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(child.stdout)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    print(_table(rows))
    print(f"\nload average after the run: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
