"""The allocation problem and its result as plain data, with the objective they are scored by."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from math import gcd

# Education levels the mixing goal counts; "" (unknown) is allowed and never counts.
LEVELS = ("mbo", "hbo", "wo")

# The unit of mixing_weight: it is in hundredths of a rank step (per cent), so that a fraction of
# a rank step is a whole number. The solvers scale costs to match (cost_scale, mixing_bonus).
MIXING_SCALE = 100


@dataclass(frozen=True)
class Student:
    id: int
    # Cohort ids, best first.
    choices: tuple[int, ...]
    # Cohort ids the student may join; None means every cohort on their list.
    eligible: frozenset[int] | None = None
    # "mbo", "hbo" or "wo"; "" when unknown, which the mixing goal ignores.
    level: str = ""

    def options(self) -> list[tuple[int, int]]:
        """(rank, cohort id) for each choice the student may take; rank is 1-based."""
        return [
            (rank, cohort_id)
            for rank, cohort_id in enumerate(self.choices, start=1)
            if self.eligible is None or cohort_id in self.eligible
        ]


@dataclass(frozen=True)
class Cohort:
    id: int
    capacity: int
    partner_id: int | None
    # A cohort runs with at least this many students or not at all; 0 means no minimum.
    min_size: int = 0


@dataclass(frozen=True)
class Partner:
    id: int
    # Teams (cohorts) the partner can host in this allocation: at most this many non-empty cohorts.
    team_budget: int
    # Students per team; team_budget * seats_per_team caps the partner's students in the flow.
    seats_per_team: int


@dataclass(frozen=True)
class AllocationProblem:
    students: tuple[Student, ...]
    cohorts: tuple[Cohort, ...]
    partners: tuple[Partner, ...] = ()
    # What one more education level in a team is worth, in hundredths of a rank step: 100 trades
    # one level for one rank step, 50 for half a step, 250 for two and a half. 0 turns it off.
    mixing_weight: int = 0


@dataclass(frozen=True)
class Allocation:
    # Student id -> cohort id.
    assignments: dict[int, int]
    # Student ids, ascending.
    unplaced: tuple[int, ...]
    # Sum of rank_cost over placed students; the unplaced penalty is not included.
    total_rank_cost: int
    # Rank (1-based) -> number of students placed at that rank.
    rank_histogram: dict[int, int]
    # Cohort ids, ascending, kept empty because they could not reach their minimum size or their
    # partner had more non-empty cohorts than its team budget.
    closed_cohorts: tuple[int, ...] = ()
    # What the team rules cost (keys in matching.core.allocation.welfare.COST_KEYS). A report on
    # the allocation rather than part of it, so it is left out of equality: two allocations that
    # place everyone alike are equal.
    costs: dict[str, int] = field(default_factory=dict, compare=False)


def rank_cost(rank: int) -> int:
    """Cost of placing a student in their `rank`-th choice (1 = first choice)."""
    return rank


def cost_scale(problem: AllocationProblem) -> int:
    """Cost units per rank step in the solvers.

    MIXING_SCALE / mixing_weight reduced to lowest terms, so that the bonus is a whole number
    of units and the costs stay as small as they can (the flow's running time grows with their
    size): 1 without the mixing goal or at weight 100, 2 at 50 or 150, 100 at 1.
    """
    return MIXING_SCALE // gcd(MIXING_SCALE, problem.mixing_weight)


def mixing_bonus(problem: AllocationProblem) -> int:
    """What one (cohort, level) pair saves, in the solvers' units (cost_scale per rank step)."""
    return problem.mixing_weight // gcd(MIXING_SCALE, problem.mixing_weight)


def unplaced_penalty(problem: AllocationProblem) -> int:
    """Cost of leaving one student unplaced, in the solvers' units: more than any gain in ranks and
    mixing together.

    Rank costs of two allocations differ by less than scale x (all students' worst ranks), and
    mixing bonuses by at most one bonus per student (a student adds at most one level to one
    team), so an allocation that places more students always costs less: placements come first.
    The flow gets the same order without it (it places the most students first, flow.py); the
    objective, the heuristic's comparisons and CP-SAT use it.
    """
    worst = sum(rank_cost(len(student.choices)) for student in problem.students)
    with_level = sum(1 for student in problem.students if student.level)
    return cost_scale(problem) * worst + mixing_bonus(problem) * with_level + 1


def level_pairs(problem: AllocationProblem, assignments: Mapping[int, int]) -> int:
    """Number of (cohort, known level) pairs with at least one student: what mixing rewards."""
    level_of = {student.id: student.level for student in problem.students}
    return len({(c, level_of[s]) for s, c in assignments.items() if level_of[s]})


def mixed_teams(problem: AllocationProblem, assignments: Mapping[int, int]) -> int:
    """Number of cohorts with students of at least two known levels."""
    level_of = {student.id: student.level for student in problem.students}
    levels_at: dict[int, set[str]] = {}
    for student_id, cohort_id in assignments.items():
        if level_of[student_id]:
            levels_at.setdefault(cohort_id, set()).add(level_of[student_id])
    return sum(1 for levels in levels_at.values() if len(levels) > 1)


def objective(problem: AllocationProblem, allocation: Allocation) -> int:
    """The value every allocation is scored by, in the solvers' units (cost_scale per rank step).

    scale x rank costs - bonus x (cohort, level) pairs + penalty x unplaced students.
    """
    return (
        cost_scale(problem) * allocation.total_rank_cost
        - mixing_bonus(problem) * level_pairs(problem, allocation.assignments)
        + unplaced_penalty(problem) * len(allocation.unplaced)
    )


def validate(problem: AllocationProblem) -> None:
    """Raise ValueError, naming the offending ids, if the problem is malformed."""
    _require_unique("student", (student.id for student in problem.students))
    _require_unique("cohort", (cohort.id for cohort in problem.cohorts))
    _require_unique("partner", (partner.id for partner in problem.partners))
    if problem.mixing_weight < 0:
        msg = f"The mixing weight is negative ({problem.mixing_weight})."
        raise ValueError(msg)
    partner_ids = {partner.id for partner in problem.partners}
    for partner in problem.partners:
        if partner.team_budget < 0 or partner.seats_per_team < 0:
            msg = f"Partner {partner.id} has a negative team budget or seats per team."
            raise ValueError(msg)
    for cohort in problem.cohorts:
        if cohort.capacity < 0:
            msg = f"Cohort {cohort.id} has a negative capacity ({cohort.capacity})."
            raise ValueError(msg)
        if cohort.min_size < 0:
            msg = f"Cohort {cohort.id} has a negative minimum size ({cohort.min_size})."
            raise ValueError(msg)
        if cohort.partner_id is not None and cohort.partner_id not in partner_ids:
            msg = f"Cohort {cohort.id} names unknown partner {cohort.partner_id}."
            raise ValueError(msg)
    cohort_ids = {cohort.id for cohort in problem.cohorts}
    for student in problem.students:
        unknown = sorted(set(student.choices) - cohort_ids)
        if unknown:
            msg = f"Student {student.id} chose unknown cohorts {unknown}."
            raise ValueError(msg)
        repeated = sorted(c for c, n in Counter(student.choices).items() if n > 1)
        if repeated:
            msg = f"Student {student.id} lists cohorts {repeated} more than once."
            raise ValueError(msg)
        if student.level and student.level not in LEVELS:
            msg = f"Student {student.id} has unknown level {student.level!r}."
            raise ValueError(msg)


def _require_unique(kind: str, ids: Iterable[int]) -> None:
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        msg = f"Duplicate {kind} ids {repeated}."
        raise ValueError(msg)
