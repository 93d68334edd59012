"""The allocation problem as an exact integer model, solved with CP-SAT.

Not used to allocate: it is the yardstick for allocate_welfare, whose flow is exact but whose
minimum sizes and team budgets are met by a closing heuristic (tests/matching/test_exact.py and
bench/allocation.py measure the gap). It optimises the same objective in the same units as the
flow (matching.core.allocation.objective), so the two values compare directly:

    x[s, c]   student s is placed in cohort c (one per allowed choice: listed, eligible, seats)
    open[c]   cohort c runs; x[s, c] <= open[c] through the capacity row
    y[c, l]   cohort c has a student of level l; earns the mixing bonus

    sum_c x[s, c] <= 1                                         each student at most once
    min_size[c] * open[c] <= sum_s x[s, c] <= capacity[c] * open[c]
    sum over the partner's cohorts of x <= team_budget * seats_per_team   (the flow's seat cap)
    sum over the partner's cohorts of open <= team_budget                  (the exact count)
    y[c, l] <= sum of x[s, c] over students s of level l

    minimise scale x rank x x - bonus x y + unplaced_penalty x (students - placed)

(scale and bonus as in matching.core.allocation.cost_scale and mixing_bonus.)

team_rules=False drops open[c], the minimum sizes and the exact count: what is left is the
problem the flow alone solves, so the two optima must be equal.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from matching.core.allocation import (
    Allocation,
    AllocationProblem,
    cost_scale,
    mixing_bonus,
    rank_cost,
    unplaced_penalty,
    validate,
)


@dataclass(frozen=True)
class ExactSolution:
    # The optimum in the solvers' units; equals objective(problem, allocation).
    objective: int
    allocation: Allocation


@dataclass(frozen=True)
class ExactSearch:
    """What CP-SAT reached within its time limit, proven optimal or not."""

    optimal: bool
    # The best allocation found and its objective; None when none was found.
    objective: int | None
    allocation: Allocation | None
    # No allocation has an objective below this; equals `objective` when optimal. None when
    # CP-SAT stopped before it found any allocation.
    bound: int | None
    seconds: float


def solve_exact(
    problem: AllocationProblem,
    *,
    team_rules: bool = True,
    time_limit: float = 10.0,
    workers: int = 1,
    hint: Allocation | None = None,
    min_placed: int = 0,
) -> ExactSolution | None:
    """The optimal allocation, or None when CP-SAT does not prove one within `time_limit` s.

    One worker (the default) makes CP-SAT deterministic; more finish sooner on large problems.
    A `hint` (say allocate_welfare's result) gives the search a good first solution, and
    `min_placed` (how many students it places) a valid cut: placements come first, so no
    allocation placing fewer can be optimal.
    """
    search = search_exact(
        problem,
        team_rules=team_rules,
        time_limit=time_limit,
        workers=workers,
        hint=hint,
        min_placed=min_placed,
    )
    if not search.optimal or search.objective is None or search.allocation is None:
        return None
    return ExactSolution(objective=search.objective, allocation=search.allocation)


def search_exact(
    problem: AllocationProblem,
    *,
    team_rules: bool = True,
    time_limit: float = 10.0,
    workers: int = 1,
    hint: Allocation | None = None,
    min_placed: int = 0,
) -> ExactSearch:
    """Like solve_exact, but also when CP-SAT does not finish: its best allocation and its
    lower bound, which still bound the heuristic's gap (bench/allocation.py)."""
    validate(problem)
    model = _ExactModel(problem, team_rules=team_rules)
    if min_placed:
        model.model.add(sum(model.x.values()) >= min_placed)
    if hint is not None:
        model.add_hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = solver.solve(model.model)
    found = status in {cp_model.OPTIMAL, cp_model.FEASIBLE}
    return ExactSearch(
        optimal=status == cp_model.OPTIMAL,
        objective=round(solver.objective_value) if found else None,
        allocation=model.allocation(solver) if found else None,
        # The objective is integral, so a fractional bound rounds up.
        bound=math.ceil(solver.best_objective_bound - 1e-6) if found else None,
        seconds=solver.wall_time,
    )


class _ExactModel:
    """The CP-SAT model of one problem (module docstring), with its variables by name."""

    def __init__(self, problem: AllocationProblem, *, team_rules: bool) -> None:
        self.model = cp_model.CpModel()
        self.students = sorted(problem.students, key=lambda s: s.id)
        self.level_of = {student.id: student.level for student in self.students}
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.is_open: dict[int, cp_model.IntVar] = {}
        self.y: dict[tuple[int, str], cp_model.IntVar] = {}
        penalty = unplaced_penalty(problem)
        # (coefficient, variable) terms of the objective; a placement saves one penalty.
        self.terms: list[tuple[int, cp_model.IntVar]] = []
        at_cohort = self._add_choices(problem, penalty)
        self._add_cohorts(problem, at_cohort, team_rules=team_rules)
        self._add_partners(problem, at_cohort, team_rules=team_rules)
        if problem.mixing_weight:
            self._add_mixing(problem)
        self.model.minimize(
            sum(coef * var for coef, var in self.terms) + penalty * len(self.students)
        )

    def _add_choices(
        self, problem: AllocationProblem, penalty: int
    ) -> defaultdict[int, list[cp_model.IntVar]]:
        scale = cost_scale(problem)
        capacity = {cohort.id: cohort.capacity for cohort in problem.cohorts}
        at_cohort: defaultdict[int, list[cp_model.IntVar]] = defaultdict(list)
        for student in self.students:
            own = []
            for rank, c in student.options():
                if capacity[c] == 0:
                    continue
                var = self.model.new_bool_var(f"x_{student.id}_{c}")
                self.x[student.id, c] = var
                own.append(var)
                self.terms.append((scale * rank_cost(rank) - penalty, var))
                at_cohort[c].append(var)
            self.model.add_at_most_one(own)
        return at_cohort

    def _add_cohorts(
        self,
        problem: AllocationProblem,
        at_cohort: defaultdict[int, list[cp_model.IntVar]],
        *,
        team_rules: bool,
    ) -> None:
        for cohort in sorted(problem.cohorts, key=lambda c: c.id):
            load = sum(at_cohort[cohort.id])
            if not team_rules:
                self.model.add(load <= cohort.capacity)
                continue
            is_open = self.model.new_bool_var(f"open_{cohort.id}")
            self.is_open[cohort.id] = is_open
            self.model.add(load <= cohort.capacity * is_open)
            if cohort.min_size:
                self.model.add(load >= cohort.min_size * is_open)

    def _add_partners(
        self,
        problem: AllocationProblem,
        at_cohort: defaultdict[int, list[cp_model.IntVar]],
        *,
        team_rules: bool,
    ) -> None:
        for partner in sorted(problem.partners, key=lambda p: p.id):
            own = [c.id for c in problem.cohorts if c.partner_id == partner.id]
            seats = partner.team_budget * partner.seats_per_team
            self.model.add(sum(var for c in own for var in at_cohort[c]) <= seats)
            if team_rules:
                self.model.add(sum(self.is_open[c] for c in own) <= partner.team_budget)

    def _add_mixing(self, problem: AllocationProblem) -> None:
        by_level: defaultdict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
        for (s, c), var in self.x.items():
            if self.level_of[s]:
                by_level[c, self.level_of[s]].append(var)
        for (c, level), placed in sorted(by_level.items()):
            y = self.model.new_bool_var(f"y_{c}_{level}")
            self.y[c, level] = y
            self.model.add(y <= sum(placed))
            self.terms.append((-mixing_bonus(problem), y))

    def add_hint(self, hint: Allocation) -> None:
        for (s, c), var in self.x.items():
            self.model.add_hint(var, hint.assignments.get(s) == c)
        opened = set(hint.assignments.values())
        for c, var in self.is_open.items():
            self.model.add_hint(var, c in opened)
        present = {(c, self.level_of[s]) for s, c in hint.assignments.items()}
        for pair, var in self.y.items():
            self.model.add_hint(var, pair in present)

    def allocation(self, solver: cp_model.CpSolver) -> Allocation:
        assignments = {s: c for (s, c), var in self.x.items() if solver.boolean_value(var)}
        ranks = [
            student.choices.index(assignments[student.id]) + 1
            for student in self.students
            if student.id in assignments
        ]
        return Allocation(
            assignments=assignments,
            unplaced=tuple(s.id for s in self.students if s.id not in assignments),
            total_rank_cost=sum(rank_cost(rank) for rank in ranks),
            rank_histogram=dict(sorted(Counter(ranks).items())),
        )
