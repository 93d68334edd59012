"""The welfare core: one min-cost flow over the sparse graph of ranked choices.

    student (supply 1) -> cohort      capacity 1, cost scale x rank_cost(rank)
    cohort             -> partner     capacity cohort.capacity (0 once the cohort is closed)
    cohort             -> sink        capacity cohort.capacity   (cohorts without a partner)
    partner            -> sink        capacity team_budget * seats_per_team

The solver computes a maximum flow of minimum cost (solve_max_flow_with_min_cost): it places
as many students as possible, and among those allocations takes the cheapest. That is the
lexicographic objective (objective() in problem.py) without putting the unplaced penalty on
an arc: penalty-sized costs would make the cost-scaling solver run about twice as long.

scale is cost_scale(problem): 1 without the mixing goal. With the goal on, a student of a known
level enters a cohort through an entry node for (cohort, level) instead of directly:

    student -> entry(cohort, level)   capacity 1, cost scale x rank_cost(rank)
    entry   -> cohort                 capacity 1, cost -bonus            (the first of the level)
    entry   -> cohort                 capacity cohort.capacity, cost 0   (everyone after)

bonus is mixing_bonus(problem), mixing_weight in the same units as the ranks. The two parallel
arcs make the cost of a level's students at a cohort convex (the first one is cheaper), which
is what lets a flow express "one more level in a team is worth mixing_weight" exactly: the
solver fills the discounted arc first, so each (cohort, level) pair with at least one student
earns the bonus once. Every level present counts, so a team's first level earns it too; what
the goal adds over plain welfare is the reward for each level beyond that (and, as a side
effect, a small pull towards spreading one level over more teams).

A cohort with a minimum size has its outgoing arc split in two, the first min_size seats and
the rest, so that it can be committed: its first min_size seats then go through an arc with a
large negative cost (_minimum_reward) instead, and among the allocations that place the most
students the flow takes one that fills committed cohorts up to their minimum, where the students
to do so exist (team_rules.py decides which cohorts to commit). The rewarded arcs are only added
to the solves that need them, for the same reason as the penalty above.

The partner arc caps students, not teams: "at most k non-empty cohorts" is a fixed charge per
opened cohort, which no flow can express. It is a relaxation of the team budget; the exact count
is enforced on top by closing cohorts (team_rules.py).

Ties: nodes and arcs are added in id order (students, then each student's list, entry nodes by
(cohort, level), cohorts, partners), and the solver is deterministic for a given graph, so equal
problems, in any input order, give the same allocation.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import compress

from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from matching.core.allocation.problem import (
    Allocation,
    AllocationProblem,
    Cohort,
    Student,
    cost_scale,
    mixing_bonus,
    rank_cost,
)


@dataclass
class _Arcs:
    """Arc lists for the solver's bulk call, built in a fixed order."""

    tails: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    capacities: list[int] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)

    def add(self, tail: int, head: int, capacity: int, cost: int = 0) -> int:
        """Add an arc and return its position, which is its id in the solver."""
        self.tails.append(tail)
        self.heads.append(head)
        self.capacities.append(capacity)
        self.costs.append(cost)
        return len(self.tails) - 1


class WelfareFlow:
    """The flow graph of one problem, built once and solved again after closing or committing
    cohorts. The problem must already be validated.
    """

    def __init__(self, problem: AllocationProblem) -> None:
        students = sorted(problem.students, key=lambda s: s.id)
        cohorts = sorted(problem.cohorts, key=lambda c: c.id)
        partners = sorted(problem.partners, key=lambda p: p.id)
        capacity_of = {cohort.id: cohort.capacity for cohort in cohorts}
        # A cohort with no seats can never take anyone; its arcs are left out.
        options = [
            [(rank, c) for rank, c in student.options() if capacity_of[c] > 0]
            for student in students
        ]

        # Nodes: students, cohorts, entry nodes, partners, then the sink.
        n_students = len(students)
        cohort_node = {cohort.id: n_students + i for i, cohort in enumerate(cohorts)}
        entry_node: dict[tuple[int, str], int] = {}
        bonus = mixing_bonus(problem)
        if bonus:
            pairs = {
                (c, student.level)
                for student, choices in zip(students, options, strict=True)
                if student.level
                for _, c in choices
            }
            first = n_students + len(cohorts)
            entry_node = {pair: first + i for i, pair in enumerate(sorted(pairs))}
        first = n_students + len(cohorts) + len(entry_node)
        partner_node = {partner.id: first + i for i, partner in enumerate(partners)}
        self._sink = first + len(partners)

        self._arcs = _Arcs()
        self._add_choices(
            students=students,
            options=options,
            scale=cost_scale(problem),
            cohort_node=cohort_node,
            entry_node=entry_node,
        )
        self._bonus_arcs: list[int] = []
        for (c, _), node in entry_node.items():
            self._bonus_arcs.append(self._arcs.add(node, cohort_node[c], 1, -bonus))
            self._arcs.add(node, cohort_node[c], capacity_of[c])
        self._add_cohorts(cohorts=cohorts, cohort_node=cohort_node, partner_node=partner_node)
        for partner in partners:
            seats = partner.team_budget * partner.seats_per_team
            self._arcs.add(partner_node[partner.id], self._sink, seats)

        max_rank = max((len(s.choices) for s in students), default=0)
        self._reward = _minimum_reward(
            scale=cost_scale(problem),
            bonus=bonus,
            max_rank=max_rank,
            cohort_nodes=len(cohorts),
            entry_nodes=len(entry_node),
        )
        self._supplies = [1] * n_students + [0] * (self._sink - n_students) + [-n_students]
        self._student_ids = [student.id for student in students]
        self.solves = 0

    def _add_choices(
        self,
        *,
        students: list[Student],
        options: list[list[tuple[int, int]]],
        scale: int,
        cohort_node: dict[int, int],
        entry_node: dict[tuple[int, str], int],
    ) -> None:
        """One arc per allowed choice; these come first, so arc i is self._choice_arcs[i]."""
        # (student id, cohort id, rank) for each choice arc, in arc order.
        self._choice_arcs: list[tuple[int, int, int]] = []
        for node, (student, choices) in enumerate(zip(students, options, strict=True)):
            for rank, c in choices:
                head = entry_node.get((c, student.level), cohort_node[c])
                self._arcs.add(node, head, 1, scale * rank_cost(rank))
                self._choice_arcs.append((student.id, c, rank))

    def _add_cohorts(
        self,
        *,
        cohorts: list[Cohort],
        cohort_node: dict[int, int],
        partner_node: dict[int, int],
    ) -> None:
        # Cohort id -> [(outgoing arc, its capacity while open)], to close it.
        self._cohort_arcs: dict[int, list[tuple[int, int]]] = {}
        # Cohort id -> (arc of its first min_size seats, tail, head, min_size), to commit it.
        self._minimum_arcs: dict[int, tuple[int, int, int, int]] = {}
        for cohort in cohorts:
            node = cohort_node[cohort.id]
            head = self._sink if cohort.partner_id is None else partner_node[cohort.partner_id]
            size = min(cohort.min_size, cohort.capacity)
            if not size:
                arc = self._arcs.add(node, head, cohort.capacity)
                self._cohort_arcs[cohort.id] = [(arc, cohort.capacity)]
                continue
            first_seats = self._arcs.add(node, head, size)
            rest = self._arcs.add(node, head, cohort.capacity - size)
            self._cohort_arcs[cohort.id] = [(first_seats, size), (rest, cohort.capacity - size)]
            self._minimum_arcs[cohort.id] = (first_seats, node, head, size)

    @property
    def arc_count(self) -> int:
        return len(self._arcs.tails)

    def solve(
        self, closed: Iterable[int] = (), committed: Iterable[int] = (), *, mixing: bool = True
    ) -> Allocation:
        """The optimal allocation with the `closed` cohorts held empty and, among those that
        place the most students, one that fills the `committed` cohorts up to their minimum
        size wherever the students to do so exist.

        mixing=False drops the mixing bonus (the costs stay scaled), to measure what it costs.
        """
        closed = set(closed)
        committed = set(committed) & self._minimum_arcs.keys() - closed
        arcs = self._arcs
        capacities = list(arcs.capacities)
        for cohort_id in closed:
            for arc, _ in self._cohort_arcs[cohort_id]:
                capacities[arc] = 0
        if not mixing:
            for arc in self._bonus_arcs:
                capacities[arc] = 0
        # Committed cohorts send their first seats through a rewarded arc, added after the rest.
        rewarded = [self._minimum_arcs[c] for c in sorted(committed)]
        for arc, *_ in rewarded:
            capacities[arc] = 0

        flow = SimpleMinCostFlow()
        arc_ids = flow.add_arcs_with_capacity_and_unit_cost(
            arcs.tails + [tail for _, tail, _, _ in rewarded],
            arcs.heads + [head for _, _, head, _ in rewarded],
            capacities + [size for _, _, _, size in rewarded],
            arcs.costs + [-self._reward] * len(rewarded),
        )
        flow.set_nodes_supplies(list(range(self._sink + 1)), self._supplies)
        status = flow.solve_max_flow_with_min_cost()
        self.solves += 1
        if status != flow.OPTIMAL:
            msg = f"Min-cost flow did not reach an optimum (status {status})."
            raise RuntimeError(msg)

        used = flow.flows(arc_ids[: len(self._choice_arcs)]).tolist()
        assignments: dict[int, int] = {}
        histogram: Counter[int] = Counter()
        for student_id, cohort_id, rank in compress(self._choice_arcs, used):
            assignments[student_id] = cohort_id
            histogram[rank] += 1
        return Allocation(
            assignments=assignments,
            unplaced=tuple(s for s in self._student_ids if s not in assignments),
            total_rank_cost=sum(rank_cost(rank) * n for rank, n in histogram.items()),
            rank_histogram=dict(sorted(histogram.items())),
            closed_cohorts=tuple(sorted(closed)),
        )


def _minimum_reward(
    *, scale: int, bonus: int, max_rank: int, cohort_nodes: int, entry_nodes: int
) -> int:
    """Cost saved per student, up to the minimum, in a committed cohort: enough that, among the
    allocations placing the most students, the flow fills committed cohorts before anything else.

    Filling one more seat without changing how many are placed changes the flow along a simple
    cycle. It enters each cohort or entry node at most once, so it puts at most that many
    students into a choice (each at most scale x max_rank), and it drops at most one bonus per
    entry node; a reward above both together outweighs any rank or mixing saving.
    """
    return scale * max_rank * (cohort_nodes + entry_nodes) + bonus * entry_nodes + 1
