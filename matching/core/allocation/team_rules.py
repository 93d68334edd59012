"""Exact partner team budgets and minimum team sizes, met by closing or filling cohorts.

Neither rule fits in a flow: "at most team_budget non-empty cohorts" and "0 or at least
min_size students" are both fixed charges on opening a cohort. So the flow is solved, the
violations are read off, and each violating cohort is settled in one of two ways before the
flow is solved again:

- closed: capacity 0, its students go elsewhere;
- filled (committed; minimum sizes only): among the allocations that place the most students,
  the flow must take one that brings the cohort up to its minimum (flow.py).

allocate_welfare runs two stages: team budgets alone first, then minimum sizes with the budgets
still enforced. Budgets first, because a partner over budget must lose cohorts whatever
happens, while filling one of its cohorts up to a minimum pulls students from its others and
can push them, one after another, under theirs: minimum sizes first took 16 solves instead of 3
on the 50,000-student benchmark, and left 23 students out beyond the optimum instead of 10 on
the small instances of tests/matching/test_exact.py.

A committed cohort that later cannot be filled (other closings took its students away) is
closed. Every round closes or commits at least one cohort, and a committed cohort can only go on
to be closed, so a stage ends; at worst every cohort is closed and everyone is unplaced, which
breaks no rule.

Which cohort, and how. Cohorts that can never reach their minimum (capacity below it, or fewer
students may take them than it asks) go first, and are closed without weighing anything. The
other candidates are the cohorts with 0 < students < min_size and the non-empty cohorts of
partners over budget, taken fewest students first, then lowest id (deterministic): closing a
cohort moves exactly its students, so the smallest is the cheapest to close, and, under its
minimum, the one with the longest way to go; for a partner, it keeps the fullest teams.

- One cohort under its minimum, or one partner over budget, in a round (the usual case on small
  problems): every option is tried with a solve and the best objective wins. For the cohort:
  close it or fill it (a tie closes). For the partner: close each of its non-empty cohorts in
  turn (one per round).
- More (few students over many seats leave hundreds of cohorts under their minimum, and many
  partners can be over budget at once; a solve per option would take minutes): walking the
  candidates in the order above, a cohort under its minimum joins the round's batch unless a
  student of a cohort already in it may move to it (that arrival could settle it differently),
  and each partner over budget gives up as many of its smallest cohorts as it is over. Two
  solves price the batch: one with all of it closed, one with its under-filled cohorts
  committed. Such a cohort is filled when the students who came to fill it lost less (ranks,
  or places) than its own students lose when it closes, counted twice (CLOSE_COST_WEIGHT);
  the partners' cohorts are closed. The flow is solved again between rounds, which catches
  what a batch missed.

After each stage an improvement pass (improve) undoes closings that turn out badly: it reopens
closed cohorts one at a time, most promising first (what the students who may take one would
gain over their present place), committed to their minimum, settles the rest again and keeps
the result if the objective improved. The greedy
rounds cannot see that closing one cohort would have let a neighbour reach its minimum; on the
600 small instances of tests/matching/test_exact.py the pass cuts the students left out beyond
the optimum from 54 to 10, and lifts the share solved optimally from 92 % to 97 %. Each try
costs a few solves, so the pass gets a fixed amount of work (IMPROVE_WORK), which large
problems, whose solves are slow, spend on few tries or none.

This is a heuristic: tests/matching/test_exact.py measures its gap to CP-SAT's optimum.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from matching.core.allocation.flow import WelfareFlow
from matching.core.allocation.problem import (
    Allocation,
    AllocationProblem,
    cost_scale,
    objective,
    rank_cost,
    unplaced_penalty,
)

# Work allowed for the improvement pass in each stage, in flow arcs x tries (a try is a few flow
# solves, and a solve's work grows with the arcs). Small problems, where one wrong closing weighs
# most, get hundreds of tries; the 1,000-student benchmark gets 5, the 10,000-student one none.
IMPROVE_WORK = 50_000

# How much more a batch weighs the cost of closing a cohort than its students' first move. That
# move understates it: with few students over many seats they land where seats are free, mostly
# in cohorts short of their own minimum, and move again (or drop out) when those are settled.
# Tuned, not derived: on the 1,000-student benchmark 2 lowers the rank cost from 2,208 to 2,129
# (the optimum is 1,944), 1.5 and 3 do less, and the small instances do not change.
CLOSE_COST_WEIGHT = 2


@dataclass(frozen=True)
class TeamRules:
    """What the rules need to know about a problem, worked out once."""

    min_size: Mapping[int, int]
    partner_of: Mapping[int, int | None]
    team_budget: Mapping[int, int]
    # Student id -> {cohort id: rank} for the cohorts they may take (listed, eligible, seats).
    options: Mapping[int, Mapping[int, int]]
    # Cohorts that no allocation can fill up to their minimum.
    hopeless: frozenset[int]

    @classmethod
    def of(cls, problem: AllocationProblem) -> "TeamRules":
        capacity = {cohort.id: cohort.capacity for cohort in problem.cohorts}
        options = {
            student.id: {c: rank for rank, c in student.options() if capacity[c] > 0}
            for student in problem.students
        }
        takers = Counter(c for choices in options.values() for c in choices)
        return cls(
            min_size={cohort.id: cohort.min_size for cohort in problem.cohorts},
            partner_of={cohort.id: cohort.partner_id for cohort in problem.cohorts},
            team_budget={partner.id: partner.team_budget for partner in problem.partners},
            options=options,
            hopeless=frozenset(
                cohort.id
                for cohort in problem.cohorts
                if cohort.min_size > min(cohort.capacity, takers[cohort.id])
            ),
        )

    def under_minimum(self, assignments: Mapping[int, int]) -> list[int]:
        """Cohorts with some students but fewer than their minimum, ascending."""
        counts = Counter(assignments.values())
        return sorted(c for c, n in counts.items() if n < self.min_size[c])

    def over_budget(self, assignments: Mapping[int, int]) -> dict[int, int]:
        """Partner id -> non-empty cohorts beyond its team budget, for partners over it."""
        opened = Counter(
            self.partner_of[c] for c in set(assignments.values()) if self.partner_of[c] is not None
        )
        budget = self.team_budget
        return {p: n - budget[p] for p, n in sorted(opened.items()) if n > budget[p]}


@dataclass
class TeamRuleEnforcer:
    """Closes and fills cohorts (module docstring), keeping what it decided across stages."""

    problem: AllocationProblem
    flow: WelfareFlow
    rules: TeamRules
    closed: set[int] = field(default_factory=set)
    committed: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._penalty = unplaced_penalty(self.problem)
        self._scale = cost_scale(self.problem)

    def enforce(self, allocation: Allocation, *, min_sizes: bool) -> Allocation:
        """The allocation after settling every violation (module docstring); min_sizes=False
        minds the team budgets only.

        Side effect: adds to `closed` and `committed`.
        """
        if min_sizes and not self.closed >= self.rules.hopeless:
            self.closed |= self.rules.hopeless
            # Closing an empty cohort changes nothing; only re-solve if one had students.
            if self.rules.hopeless.intersection(allocation.assignments.values()):
                allocation = self._solve()
        while True:
            under = self.rules.under_minimum(allocation.assignments) if min_sizes else []
            unfillable = [c for c in under if c in self.committed]
            if unfillable:
                self.closed.update(unfillable)
                allocation = self._solve()
                continue
            excess = self.rules.over_budget(allocation.assignments)
            batch, for_budget = self._batch(allocation, under, excess)
            if not batch:
                return allocation
            partners = {self.rules.partner_of[c] for c in batch}
            if len(batch) == 1 or (for_budget == set(batch) and len(partners) == 1):
                allocation = self._settle_one(
                    allocation, batch[0], for_budget=batch[0] in for_budget
                )
            else:
                allocation = self._settle_batch(allocation, batch, for_budget)

    def improve(self, allocation: Allocation, *, min_sizes: bool) -> Allocation:
        """Reopen closed cohorts one at a time, committed to their minimum, settle the rest
        again, and keep the change when the objective improves (module docstring).

        Side effect: may change `closed` and `committed`.
        """
        # What reopening each cohort could win: every student who may take it and now has a
        # worse place (or none) would gain the difference.
        gain: Counter[int] = Counter()
        for student_id, options in self.rules.options.items():
            now = self._cost(allocation, student_id)
            for c, rank in options.items():
                if c in self.closed and self._scale * rank_cost(rank) < now:
                    gain[c] += now - self._scale * rank_cost(rank)
        reopenable = sorted(
            (c for c in self.closed if c not in self.rules.hopeless and gain[c]),
            key=lambda c: (-gain[c], c),
        )
        best = objective(self.problem, allocation)
        for c in reopenable[: IMPROVE_WORK // max(1, self.flow.arc_count)]:
            if c not in self.closed:
                continue
            saved = (set(self.closed), set(self.committed))
            self.closed.discard(c)
            self.committed.add(c)
            trial = self.enforce(self._solve(), min_sizes=min_sizes)
            value = objective(self.problem, trial)
            if value < best:
                best, allocation = value, trial
            else:
                self.closed, self.committed = saved
        return allocation

    def _solve(self) -> Allocation:
        self.committed -= self.closed
        return self.flow.solve(self.closed, self.committed)

    def _batch(
        self, allocation: Allocation, under: list[int], excess: Mapping[int, int]
    ) -> tuple[list[int], set[int]]:
        """Candidates to settle this round, and which of them are there for a team budget."""
        counts = Counter(allocation.assignments.values())
        members = _members(allocation)
        partner_of = self.rules.partner_of
        candidates = set(under) | {c for c in counts if partner_of[c] in excess}
        batch: list[int] = []
        for_budget: set[int] = set()
        reachable: set[int] = set()
        closing_at: Counter[int | None] = Counter()
        hopeless = self.rules.hopeless
        for c in sorted(candidates, key=lambda c: (c not in hopeless, counts[c], c)):
            partner = partner_of[c]
            budget_closes = partner in excess and closing_at[partner] < excess[partner]
            if c not in under and not budget_closes:
                continue
            if c in reachable and not budget_closes:
                continue
            batch.append(c)
            if budget_closes:
                for_budget.add(c)
                closing_at[partner] += 1
            for student_id in members[c]:
                reachable.update(self.rules.options[student_id])
        return batch, for_budget

    def _settle_one(
        self, allocation: Allocation, cohort_id: int, *, for_budget: bool
    ) -> Allocation:
        """Try each way to settle the cohort with a solve; keep the best (module docstring)."""
        if cohort_id in self.rules.hopeless:
            # It will never run: nothing to weigh.
            self.closed.add(cohort_id)
            return self._solve()
        # (objective, tie-break, action, cohort id, allocation); the lowest wins.
        tried = []
        if for_budget:
            partner = self.rules.partner_of[cohort_id]
            for c in sorted(set(allocation.assignments.values())):
                if self.rules.partner_of[c] == partner:
                    result = self.flow.solve(self.closed | {c}, self.committed - {c})
                    tried.append((objective(self.problem, result), 0, "close", c, result))
        else:
            closed = self.flow.solve(self.closed | {cohort_id}, self.committed)
            tried.append((objective(self.problem, closed), 0, "close", cohort_id, closed))
            filled = self.flow.solve(self.closed, self.committed | {cohort_id})
            if self._reaches_minimum(filled, cohort_id):
                tried.append((objective(self.problem, filled), 1, "fill", cohort_id, filled))
        _, _, action, c, result = min(tried, key=lambda t: t[:2])
        if action == "fill":
            self.committed.add(c)
        else:
            self.closed.add(c)
            self.committed.discard(c)
        # The solve for exactly these closed and committed sets: solving again gives the same.
        return result

    def _settle_batch(
        self, allocation: Allocation, batch: list[int], for_budget: set[int]
    ) -> Allocation:
        """Price the batch with two solves and settle each cohort in it (module docstring)."""
        to_decide = [c for c in batch if c not in for_budget]
        if not to_decide:
            self.closed |= for_budget
            return self._solve()
        all_closed = self.flow.solve(self.closed | set(batch), self.committed - for_budget)
        all_filled = self.flow.solve(
            self.closed | for_budget, (self.committed - for_budget) | set(to_decide)
        )
        members, filled_members = _members(allocation), _members(all_filled)
        fill = set()
        for c in to_decide:
            own = set(members[c])
            close_cost = sum(self._cost(all_closed, s) - self._cost(allocation, s) for s in own)
            fill_cost = sum(
                self._cost(all_filled, s) - self._cost(allocation, s)
                for s in filled_members[c]
                if s not in own
            )
            reached = len(filled_members[c]) >= self.rules.min_size[c]
            if reached and fill_cost < CLOSE_COST_WEIGHT * close_cost:
                fill.add(c)
        self.closed |= for_budget | (set(to_decide) - fill)
        self.committed = (self.committed - for_budget) | fill
        # When the batch went all one way, one of the two pricing solves is already the answer.
        if not fill:
            return all_closed
        if len(fill) == len(to_decide):
            return all_filled
        return self._solve()

    def _cost(self, allocation: Allocation, student_id: int) -> int:
        """One student's part of the objective, leaving out the mixing bonus, which belongs to
        a team rather than to one student."""
        cohort_id = allocation.assignments.get(student_id)
        if cohort_id is None:
            return self._penalty
        return self._scale * rank_cost(self.rules.options[student_id][cohort_id])

    def _reaches_minimum(self, allocation: Allocation, cohort_id: int) -> bool:
        placed = sum(1 for c in allocation.assignments.values() if c == cohort_id)
        return placed >= self.rules.min_size[cohort_id]


def _members(allocation: Allocation) -> defaultdict[int, list[int]]:
    members: defaultdict[int, list[int]] = defaultdict(list)
    for student_id, cohort_id in allocation.assignments.items():
        members[cohort_id].append(student_id)
    return members
