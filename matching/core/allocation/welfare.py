"""allocate_welfare: the flow, then the team rules on top, and a report of what each one cost."""

from dataclasses import replace

from matching.core.allocation.flow import WelfareFlow
from matching.core.allocation.problem import (
    Allocation,
    AllocationProblem,
    mixed_teams,
    validate,
)
from matching.core.allocation.team_rules import TeamRuleEnforcer, TeamRules

# Allocation.costs always holds every key. Each stage is measured against the one before it, so
# the extras add up: final rank cost = rank cost with mixing off + the three extra rank costs.
# An extra rank cost can be negative when the stage also leaves students out (an unplaced student
# has no rank cost); read it after the extra unplaced, which come first.
COST_KEYS = (
    # 1. Mixing goal: the optimal flow with the goal vs the same flow without it, both before any
    #    team rule. Both place the same number of students, since placements come first.
    "mixing_extra_rank_cost",
    "mixing_extra_mixed_teams",
    # 2. Exact team budgets, vs the plain flow: cohorts closed in this stage (and still closed
    #    at the end).
    "team_budgets_extra_rank_cost",
    "team_budgets_extra_unplaced",
    "team_budgets_closed",
    # 3. Minimum sizes, on top of the team budgets: cohorts closed in this stage, and cohorts
    #    filled up to their minimum (at the end). See team_rules.py for why budgets come first.
    "min_sizes_extra_rank_cost",
    "min_sizes_extra_unplaced",
    "min_sizes_closed",
    "min_sizes_filled",
    # The final allocation: teams with students of two or more known levels; flow solves in all.
    "mixed_teams",
    "flow_solves",
)


def allocate_welfare(problem: AllocationProblem) -> Allocation:
    """Place as many students as possible, then at the least total rank cost (less the mixing
    bonus), within capacities, eligibility, partner team budgets and minimum team sizes.

    The flow is optimal for capacities, eligibility, partner seat caps and the mixing goal; the
    minimum sizes and the exact team budgets are then met by closing and filling cohorts
    (team_rules.py), a heuristic. Allocation.costs reports what each stage cost (COST_KEYS).
    Raises ValueError on a malformed problem (unknown or repeated choices, negative capacities
    or sizes, duplicate ids, unknown levels).
    """
    validate(problem)
    flow = WelfareFlow(problem)

    plain = flow.solve()
    unmixed = flow.solve(mixing=False) if problem.mixing_weight else plain
    enforcer = TeamRuleEnforcer(problem=problem, flow=flow, rules=TeamRules.of(problem))
    budgeted = enforcer.improve(enforcer.enforce(plain, min_sizes=False), min_sizes=False)
    closed_for_budgets = set(enforcer.closed)
    final = enforcer.improve(enforcer.enforce(budgeted, min_sizes=True), min_sizes=True)

    costs = {
        "mixing_extra_rank_cost": plain.total_rank_cost - unmixed.total_rank_cost,
        "mixing_extra_mixed_teams": (
            mixed_teams(problem, plain.assignments) - mixed_teams(problem, unmixed.assignments)
        ),
        "team_budgets_extra_rank_cost": budgeted.total_rank_cost - plain.total_rank_cost,
        "team_budgets_extra_unplaced": len(budgeted.unplaced) - len(plain.unplaced),
        "team_budgets_closed": len(enforcer.closed & closed_for_budgets),
        "min_sizes_extra_rank_cost": final.total_rank_cost - budgeted.total_rank_cost,
        "min_sizes_extra_unplaced": len(final.unplaced) - len(budgeted.unplaced),
        "min_sizes_closed": len(enforcer.closed - closed_for_budgets),
        "min_sizes_filled": len(enforcer.committed),
        "mixed_teams": mixed_teams(problem, final.assignments),
        "flow_solves": flow.solves,
    }
    # Cohorts that could never run are closed without a solve when nobody was in them.
    return replace(final, closed_cohorts=tuple(sorted(enforcer.closed)), costs=costs)
