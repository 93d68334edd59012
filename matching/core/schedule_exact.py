"""The best possible schedule for a small event, with OR-Tools' CP-SAT: the yardstick for
matching.core.schedule, in its tests and in bench/schedule.py, not a builder in its own right.

The model has no table numbers, so it has none of their symmetry: a bool together[i, j, r]
says whether i and j share a table in round r. Sharing is transitive (with i and j, and j
and k, at one table, so are i and k), which cuts each round into groups; a group holds at
most seats_per_table people, and there are at most `tables` groups of two or more (the
lowest-numbered person of each group counts it). Pairs of which one would rather not meet
the other never share a table; no pair shares one twice; and, by default, everyone's rounds
off are at most one apart. The objective is the core's: the sum of the pair points of every
pair that shares a table, doubled to whole numbers (all points are multiples of 0.5).

Fine up to a dozen people and a few rounds; the number of constraints grows with the cube of
the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from ortools.sat.python import cp_model

from events.schedule_input import ScheduleProblem
from matching.core.schedule import pair_points

POINTS_SCALE = 2


@dataclass(frozen=True)
class ExactSchedule:
    # (round, participant ids) per table, rounds from 1, ids ascending.
    tables: tuple[tuple[int, tuple[int, ...]], ...]
    objective: float
    optimal: bool  # False when the time limit came first: objective is then a lower bound


def solve_exact(
    problem: ScheduleProblem, *, fair: bool = True, time_limit_s: float = 60.0, seed: int = 0
) -> ExactSchedule:
    """The schedule with the most points; one search worker, so the same answer every run.

    With `fair`, everyone's rounds off are at most one apart, as the builder keeps them;
    without, the optimum may let some sit out more so that others meet a wish, which shows
    what that fairness costs. Raises RuntimeError when no schedule keeps the rules.
    """
    exact = _Model(problem)
    exact.add_rounds()
    exact.add_pairs()
    if fair:
        exact.add_fairness()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_search_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(exact.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        msg = f"CP-SAT found no schedule (status {solver.status_name(status)})."
        raise RuntimeError(msg)
    return ExactSchedule(
        tables=exact.tables(solver),
        objective=solver.objective_value / POINTS_SCALE,
        optimal=status == cp_model.OPTIMAL,
    )


class _Model:
    def __init__(self, problem: ScheduleProblem):
        self.problem = problem
        self.ids = sorted(p.id for p in problem.participants)
        self.people = range(len(self.ids))
        self.rounds = range(problem.rounds)
        self.model = model = cp_model.CpModel()
        self.together = {
            (i, j, r): model.new_bool_var(f"t{i}_{j}_{r}")
            for i, j in combinations(self.people, 2)
            for r in self.rounds
        }
        weights = {
            pair: round(points * POINTS_SCALE) for pair, points in pair_points(problem).items()
        }
        ids = self.ids
        model.maximize(
            sum(weights.get((ids[i], ids[j]), 0) * var for (i, j, _r), var in self.together.items())
        )

    def sits(self, i: int, j: int, r: int) -> cp_model.IntVar:
        return self.together[min(i, j), max(i, j), r]

    def add_rounds(self) -> None:
        """Each round cut into groups of two to seats_per_table, at most `tables` of them."""
        model, sits, people = self.model, self.sits, self.people
        for r in self.rounds:
            for i, j, k in combinations(people, 3):
                model.add(sits(i, j, r) + sits(j, k, r) - sits(i, k, r) <= 1)
                model.add(sits(i, j, r) + sits(i, k, r) - sits(j, k, r) <= 1)
                model.add(sits(i, k, r) + sits(j, k, r) - sits(i, j, r) <= 1)
            first_of_group = []
            for i in people:
                others = [sits(i, j, r) for j in people if j != i]
                model.add(sum(others) <= self.problem.seats_per_table - 1)
                # i opens a group when i sits with someone and with no one numbered lower.
                opens = model.new_bool_var(f"o{i}_{r}")
                lower = sum(sits(k, i, r) for k in range(i))
                for j in range(i + 1, len(people)):
                    model.add(opens >= sits(i, j, r) - lower)
                first_of_group.append(opens)
            model.add(sum(first_of_group) <= self.problem.tables)

    def add_pairs(self) -> None:
        """No pair meets twice; a pair of which one would rather not meet the other, never."""
        rather_not = self.problem.rather_not_pairs()
        for i, j in combinations(self.people, 2):
            meetings = [self.together[i, j, r] for r in self.rounds]
            limit = 0 if frozenset((self.ids[i], self.ids[j])) in rather_not else 1
            self.model.add(sum(meetings) <= limit)

    def add_fairness(self) -> None:
        """Everyone's rounds off at most one apart."""
        model, least = self.model, self.model.new_int_var(0, self.problem.rounds, "least")
        for i in self.people:
            seated = []
            for r in self.rounds:
                at_table = model.new_bool_var(f"s{i}_{r}")
                partners = [self.sits(i, j, r) for j in self.people if j != i]
                for partner in partners:
                    model.add(at_table >= partner)
                model.add(at_table <= sum(partners))
                seated.append(at_table)
            rounds_off = self.problem.rounds - sum(seated)
            model.add(rounds_off >= least)
            model.add(rounds_off <= least + 1)

    def tables(self, solver: cp_model.CpSolver) -> tuple[tuple[int, tuple[int, ...]], ...]:
        found = []
        for r in self.rounds:
            placed: set[int] = set()
            for i in self.people:
                if i in placed:
                    continue
                group = [i] + [
                    j for j in range(i + 1, len(self.ids)) if solver.value(self.sits(i, j, r))
                ]
                if len(group) >= 2:
                    placed.update(group)
                    found.append((r + 1, tuple(self.ids[k] for k in group)))
        return tuple(found)
