"""Maximum-welfare allocation of students to cohorts.

Plain data in, plain data out; no Django, so the Django side (which builds the problem from the
models and writes the result back through the projects service) and the benchmarks can share it.

Objective, lexicographic: first place as many students as possible, then minimise the sum of the
ranks students get (a student's r-th choice costs r), less a bonus for each education level in
each team when the mixing goal is on. The unplaced penalty exceeds every possible gain in ranks
and mixing together, so no saving ever justifies leaving one more student out.

- problem.py: the data (Student, Cohort, Partner, AllocationProblem, Allocation), validation
  and the objective;
- flow.py: the min-cost flow, exact for capacities, eligibility, partner seat caps and the
  mixing goal;
- team_rules.py: minimum team sizes and exact partner team budgets, by closing cohorts or
  filling them up to their minimum;
- welfare.py: allocate_welfare, which runs it all and reports what each rule cost.

matching/core/exact.py solves the same problem exactly with CP-SAT, to check the heuristic part.
"""

from matching.core.allocation.flow import WelfareFlow
from matching.core.allocation.problem import (
    LEVELS,
    MIXING_SCALE,
    Allocation,
    AllocationProblem,
    Cohort,
    Partner,
    Student,
    cost_scale,
    level_pairs,
    mixed_teams,
    mixing_bonus,
    objective,
    rank_cost,
    unplaced_penalty,
    validate,
)
from matching.core.allocation.team_rules import TeamRuleEnforcer, TeamRules
from matching.core.allocation.welfare import COST_KEYS, allocate_welfare

__all__ = [
    "COST_KEYS",
    "LEVELS",
    "MIXING_SCALE",
    "Allocation",
    "AllocationProblem",
    "Cohort",
    "Partner",
    "Student",
    "TeamRuleEnforcer",
    "TeamRules",
    "WelfareFlow",
    "allocate_welfare",
    "cost_scale",
    "level_pairs",
    "mixed_teams",
    "mixing_bonus",
    "objective",
    "rank_cost",
    "unplaced_penalty",
    "validate",
]
