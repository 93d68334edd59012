"""build_schedule: the rounds built, rebuilt, restarted and annealed, and explained."""

from __future__ import annotations

from itertools import combinations

from events.schedule_input import ScheduleProblem
from matching.core.schedule.annealing import Annealing
from matching.core.schedule.points import ROLE_POINTS, ROLES, Scores, table_half
from matching.core.schedule.result import (
    Explanation,
    PairPoints,
    PlannedTable,
    Schedule,
    SharedTheme,
)
from matching.core.schedule.rounds import SMALL, Rounds

DEFAULT_SEED = 6  # issue 6; any fixed number does

# Candidates per person: enough new partners for every round, with room for conflicts.
_CANDIDATE_SLACK = 3
_CANDIDATE_FLOOR = 16
# Events this small try several greedy orders; the work per try is tiny there.
_RESTART_BUDGET = 120  # restarts x participants
_MAX_RESTARTS = 100
# How much a restart scales each pair's points at random, to get another greedy order.
_SHAKE = 0.3
_REBUILD_PASSES = 3
# Events this small are annealed at the end: _ANNEAL_RUNS runs of _ANNEAL_STEPS steps, a
# few tenths of a second.
ANNEALED = 40
_ANNEAL_RUNS = 3
_ANNEAL_STEPS = 20_000


def build_schedule(problem: ScheduleProblem, *, seed: int = DEFAULT_SEED) -> Schedule:
    """A schedule that keeps every rule in the module docstring; the same for the same seed."""
    n = len(problem.participants)
    seats = problem.seats_per_table
    per_person = max(_CANDIDATE_FLOOR, _CANDIDATE_SLACK * problem.rounds * (seats - 1))
    scores = Scores(problem, per_person=per_person, seed=seed)
    if n < 2 or problem.rounds < 1 or problem.tables < 1 or seats < 2:
        return Schedule(tables=(), idle=tuple(tuple(scores.ids) for _ in range(problem.rounds)))
    tries = max(1, min(_MAX_RESTARTS, _RESTART_BUDGET // n))
    best_rounds, best_key = None, None
    for attempt in range(tries):
        rounds = _search(
            problem,
            scores,
            seed=seed * 1_000_003 + attempt,
            shake=_SHAKE if attempt else 0.0,
            # Planning the mutual wishes over the rounds meets more of them in large events,
            # but can cost a small one a better schedule: restarts try both.
            plan=attempt % 2 == 0,
        )
        key = _ranking(scores, rounds)
        if best_key is None or key > best_key:
            best_rounds, best_key = rounds, key
    if n <= ANNEALED:
        start = best_rounds
        for run in range(_ANNEAL_RUNS):
            rounds = Annealing(problem, scores, start, seed=seed * 7919 + run).run(_ANNEAL_STEPS)
            key = _ranking(scores, rounds)
            if key > best_key:
                best_rounds, best_key = rounds, key
    return _schedule(problem, scores, best_rounds)


def _ranking(scores: Scores, rounds: list) -> tuple[int, int]:
    """How good a schedule is: rounds off spread evenly first, then its points."""
    idle = [len(rounds)] * scores.n
    for tables in rounds:
        for table in tables:
            for person in table:
                idle[person] -= 1
    points = sum(table_half(scores.half, table) for tables in rounds for table in tables)
    return -max(0, max(idle) - min(idle) - 1), points


def _search(
    problem: ScheduleProblem, scores: Scores, *, seed: int, shake: float, plan: bool
) -> list[list[list[int]]]:
    search = Rounds(problem, scores, seed=seed, shake=shake, plan=plan)
    n = scores.n
    met: list[set[int]] = [set() for _ in range(n)]
    idle_count = [0] * n
    rounds, rested = [], []
    for r in range(problem.rounds):
        resting = search.sitting_out(r, idle_count, met)
        tables = search.build_round(r, resting, met, idle_count)
        rounds.append(tables)
        rested.append(resting)
        _count_rounds(tables, met, idle_count)
    if n > SMALL or problem.rounds == 1:
        return rounds
    # Each round was built knowing only the rounds before it; rebuild it knowing all the
    # others, and keep the new one when it seats everyone the old one did, and earns more.
    for _ in range(_REBUILD_PASSES):
        better = False
        for r in range(problem.rounds):
            met_elsewhere: list[set[int]] = [set() for _ in range(n)]
            idle_elsewhere = [0] * n
            for k, tables in enumerate(rounds):
                if k != r:
                    _count_rounds(tables, met_elsewhere, idle_elsewhere)
            rebuilt = search.build_round(r, set(rested[r]), met_elsewhere, idle_elsewhere)
            seated_before = {person for table in rounds[r] for person in table}
            seated_after = {person for table in rebuilt for person in table}
            if seated_after >= seated_before and sum(
                table_half(scores.half, table) for table in rebuilt
            ) > sum(table_half(scores.half, table) for table in rounds[r]):
                rounds[r] = rebuilt
                better = True
        if not better:
            break
    return rounds


def _count_rounds(tables: list, met: list[set[int]], idle_count: list[int]) -> None:
    seated = set()
    for table in tables:
        seated.update(table)
        for person in table:
            met[person].update(table)
            met[person].discard(person)
    for i in range(len(idle_count)):
        if i not in seated:
            idle_count[i] += 1


def _schedule(problem: ScheduleProblem, scores: Scores, rounds: list) -> Schedule:
    """From index space back to ids: tables numbered per round by their lowest id."""
    theme_rank = {theme.id: k for k, theme in enumerate(problem.themes)}
    planned, idle = [], []
    for number, tables in enumerate(rounds, start=1):
        in_round = sorted(sorted(table) for table in tables)
        seated = {person for table in in_round for person in table}
        idle.append(tuple(scores.ids[i] for i in range(scores.n) if i not in seated))
        planned.extend(
            PlannedTable(
                round=number,
                table=t,
                participant_ids=tuple(scores.ids[i] for i in table),
                explanation=_explain(problem, scores, table, theme_rank),
            )
            for t, table in enumerate(in_round, start=1)
        )
    return Schedule(tables=tuple(planned), idle=tuple(idle))


def _explain(
    problem: ScheduleProblem, scores: Scores, table: list[int], theme_rank: dict[int, int]
) -> Explanation:
    people = [scores.people[i] for i in table]
    points = PairPoints()
    mutual, one_sided = [], []
    for i, j in combinations(table, 2):
        points += scores.breakdown(i, j)
        asked, asked_back = j in scores.wants[i], i in scores.wants[j]
        one, other = scores.ids[i], scores.ids[j]
        if asked and asked_back:
            mutual.append((one, other))
        elif asked:
            one_sided.append((one, other))
        elif asked_back:
            one_sided.append((other, one))
    holders: dict[int, list[int]] = {}
    for person in people:
        for theme_id in sorted(person.theme_ids):
            holders.setdefault(theme_id, []).append(person.id)
    shared = sorted(
        (
            SharedTheme(theme_id, tuple(ids), theme_id in problem.event_theme_ids)
            for theme_id, ids in holders.items()
            if len(ids) >= 2
        ),
        key=lambda s: (not s.of_event, theme_rank.get(s.theme_id, len(theme_rank)), s.theme_id),
    )
    roles = {person.role for person in people}
    complementary = any(ROLE_POINTS.get(frozenset(pair), 0) for pair in combinations(roles, 2))
    return Explanation(
        shared_themes=tuple(shared),
        mutual_wishes=tuple(mutual),
        one_sided_wishes=tuple(one_sided),
        roles=tuple(role for role in ROLES if role in roles) if complementary else (),
        points=points,
    )
