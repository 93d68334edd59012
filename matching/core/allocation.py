"""Maximum-welfare allocation of students to cohorts, as a min-cost flow.

Plain data in, plain data out; no Django, so the Django side (which builds the problem from the
models and writes the result back through the projects service) and the benchmarks can share it.

The graph is sparse: one arc per ranked choice, never a students x seats matrix.

    student (supply 1) -> cohort      capacity 1, cost rank_cost(rank)
    cohort             -> partner     capacity cohort.capacity
    cohort             -> sink        capacity cohort.capacity   (cohorts without a partner)
    partner            -> sink        capacity team_budget * seats_per_team
    student            -> unplaced    capacity 1, cost unplaced_penalty(problem)
    unplaced           -> sink        capacity number of students

Cost: a placement in a student's r-th choice (1-based, the position in their own list) costs r, so
the total cost is the sum of the ranks students get. The unplaced penalty is larger than the
worst possible total rank cost of all students together, so the optimum first places as many
students as possible and only then minimises the rank cost (lexicographic, not a trade-off: no
saving in ranks ever justifies leaving one more student out).

Partner budget: `Partner.team_budget` counts teams, but "at most k cohorts with at least one
student" is a fixed charge per opened cohort, which no flow can express. The flow caps the
*students* a partner receives at team_budget * seats_per_team instead. The exact count of opened
cohorts needs an integer program on top (see issue 6) and is not enforced here.

Ties: nodes and arcs are added in id order (students, then each student's list, cohorts,
partners), and the solver is deterministic for a given graph, so equal problems, in any input
order, give the same allocation.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.graph.python.min_cost_flow import SimpleMinCostFlow


@dataclass(frozen=True)
class Student:
    id: int
    # Cohort ids, best first.
    choices: tuple[int, ...]
    # Cohort ids the student may join; None means every cohort on their list.
    eligible: frozenset[int] | None = None

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


@dataclass(frozen=True)
class Partner:
    id: int
    # Teams (cohorts) the partner can host at once.
    team_budget: int
    # Students per team used to turn the team budget into a seat cap (module docstring).
    seats_per_team: int


@dataclass(frozen=True)
class AllocationProblem:
    students: tuple[Student, ...]
    cohorts: tuple[Cohort, ...]
    partners: tuple[Partner, ...] = ()


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


def rank_cost(rank: int) -> int:
    """Cost of placing a student in their `rank`-th choice (1 = first choice)."""
    return rank


def unplaced_penalty(problem: AllocationProblem) -> int:
    """Cost of leaving one student unplaced: more than all students' worst ranks together.

    The rank costs of any two allocations differ by less than this, so an allocation that places
    more students always costs less, whatever ranks it gives: placements come first.
    """
    worst = sum(rank_cost(len(student.choices)) for student in problem.students)
    return worst + 1


def objective(problem: AllocationProblem, allocation: Allocation) -> int:
    """The value the solver minimises: rank costs plus the penalty for each unplaced student."""
    return allocation.total_rank_cost + unplaced_penalty(problem) * len(allocation.unplaced)


def validate(problem: AllocationProblem) -> None:
    """Raise ValueError, naming the offending ids, if the problem is malformed."""
    _require_unique("student", (student.id for student in problem.students))
    _require_unique("cohort", (cohort.id for cohort in problem.cohorts))
    _require_unique("partner", (partner.id for partner in problem.partners))
    partner_ids = {partner.id for partner in problem.partners}
    for partner in problem.partners:
        if partner.team_budget < 0 or partner.seats_per_team < 0:
            msg = f"Partner {partner.id} has a negative team budget or seats per team."
            raise ValueError(msg)
    for cohort in problem.cohorts:
        if cohort.capacity < 0:
            msg = f"Cohort {cohort.id} has a negative capacity ({cohort.capacity})."
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


def _require_unique(kind: str, ids: Iterable[int]) -> None:
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    if repeated:
        msg = f"Duplicate {kind} ids {repeated}."
        raise ValueError(msg)


@dataclass
class _Arcs:
    """Arc lists for the solver's bulk call, built in a fixed order."""

    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)

    def add(self, tail: int, head: int, capacity: int, cost: int = 0) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)


def allocate_welfare(problem: AllocationProblem) -> Allocation:
    """Place students in cohorts at minimum total rank cost, as many as can be placed.

    Respects cohort capacities, eligibility and partner seat caps. Raises ValueError on a
    malformed problem (unknown or repeated choices, negative capacities, duplicate ids).
    """
    validate(problem)
    students = sorted(problem.students, key=lambda s: s.id)
    cohorts = sorted(problem.cohorts, key=lambda c: c.id)
    partners = sorted(problem.partners, key=lambda p: p.id)

    # Nodes: students, cohorts, partners, then the unplaced node and the sink.
    n_students = len(students)
    cohort_node = {cohort.id: n_students + i for i, cohort in enumerate(cohorts)}
    partner_base = n_students + len(cohorts)
    partner_node = {partner.id: partner_base + i for i, partner in enumerate(partners)}
    unplaced_node = partner_base + len(partners)
    sink = unplaced_node + 1
    capacity_of = {cohort.id: cohort.capacity for cohort in cohorts}

    arcs = _Arcs()
    # (student id, cohort id, rank) for each choice arc; these come first, in this order.
    choice_arcs: list[tuple[int, int, int]] = []
    for node, student in enumerate(students):
        for rank, cohort_id in student.options():
            # A cohort with no seats can never take anyone; leave the dead arc out.
            if capacity_of[cohort_id] > 0:
                arcs.add(node, cohort_node[cohort_id], 1, rank_cost(rank))
                choice_arcs.append((student.id, cohort_id, rank))
    penalty = unplaced_penalty(problem)
    for node in range(n_students):
        arcs.add(node, unplaced_node, 1, penalty)
    for cohort in cohorts:
        head = sink if cohort.partner_id is None else partner_node[cohort.partner_id]
        arcs.add(cohort_node[cohort.id], head, cohort.capacity)
    for partner in partners:
        arcs.add(partner_node[partner.id], sink, partner.team_budget * partner.seats_per_team)
    arcs.add(unplaced_node, sink, n_students)

    flows = _solve(arcs, n_students=n_students, sink=sink)[: len(choice_arcs)]
    assignments: dict[int, int] = {}
    histogram: Counter[int] = Counter()
    for (student_id, cohort_id, rank), units in zip(choice_arcs, flows, strict=True):
        if units:
            assignments[student_id] = cohort_id
            histogram[rank] += 1
    unplaced = tuple(student.id for student in students if student.id not in assignments)
    return Allocation(
        assignments=assignments,
        unplaced=unplaced,
        total_rank_cost=sum(rank_cost(rank) * n for rank, n in histogram.items()),
        rank_histogram=dict(sorted(histogram.items())),
    )


def _solve(arcs: _Arcs, *, n_students: int, sink: int) -> list[int]:
    """Flow on each arc, in the order added; every student node supplies one unit to the sink."""
    flow = SimpleMinCostFlow()
    arc_ids = flow.add_arcs_with_capacity_and_unit_cost(
        arcs.tails, arcs.heads, arcs.capacities, arcs.costs
    )
    supplies = [1] * n_students + [0] * (sink - n_students) + [-n_students]
    flow.set_nodes_supplies(list(range(sink + 1)), supplies)
    status = flow.solve()
    # The unplaced arcs make every problem feasible, so anything else is a solver fault.
    if status != flow.OPTIMAL:
        msg = f"Min-cost flow did not reach an optimum (status {status})."
        raise RuntimeError(msg)
    return flow.flows(arc_ids).tolist()
