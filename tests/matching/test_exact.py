"""allocate_welfare against an exact CP-SAT model of the same problem (matching.core.exact).

The flow alone must equal CP-SAT's optimum exactly. With minimum sizes and team budgets the
closing and filling heuristic must stay feasible, and its gap to the optimum within the bounds
measured below (the observed distribution is in GAP_BOUNDS' comment).
"""

import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings

from matching.core.allocation import (
    LEVELS,
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
from matching.core.exact import search_exact, solve_exact
from tests.matching.test_allocation import (
    _assert_feasible,
    _brute_force_minimum,
    small_problems,
)

pytestmark = pytest.mark.unit

SEEDS = range(300)
MIXING_WEIGHTS = (0, 150)


def _random_problem(seed: int, *, team_rules: bool, mixing_weight: int) -> AllocationProblem:
    """6 to 30 students over 3 to 8 cohorts; with team_rules, minimum sizes of 0 to 4 and team
    budgets of 1 to 3, which bind often at this size."""
    # A fixed seed per instance: seeded data, not security (hence S311).
    rng = random.Random(seed)  # noqa: S311
    n_cohorts = rng.randint(3, 8)
    partners = tuple(
        Partner(id=100 + p, team_budget=rng.randint(1, 3), seats_per_team=rng.randint(2, 6))
        for p in range(rng.randint(0, 3))
    )
    partner_ids = [None, *(partner.id for partner in partners)]
    cohorts = tuple(
        Cohort(
            id=c,
            capacity=rng.randint(1, 6),
            partner_id=rng.choice(partner_ids),
            min_size=rng.choice([0, 2, 3, 4]) if team_rules else 0,
        )
        for c in range(1, n_cohorts + 1)
    )
    cohort_ids = [cohort.id for cohort in cohorts]
    students = tuple(
        Student(
            id=s,
            choices=tuple(rng.sample(cohort_ids, rng.randint(1, min(5, n_cohorts)))),
            eligible=(
                frozenset(rng.sample(cohort_ids, n_cohorts - 1)) if rng.random() < 0.2 else None
            ),
            level=rng.choice(["", *LEVELS]),
        )
        for s in range(1, rng.randint(6, 30) + 1)
    )
    if not team_rules:
        # Budgets that never bind on their count (only the seat cap, which the flow models).
        partners = tuple(replace(p, team_budget=n_cohorts) for p in partners)
    return AllocationProblem(
        students=students, cohorts=cohorts, partners=partners, mixing_weight=mixing_weight
    )


def _exact(problem: AllocationProblem, *, team_rules: bool = True):
    solution = solve_exact(problem, team_rules=team_rules, time_limit=30)
    # These instances are small: CP-SAT always proves its optimum well within the limit.
    assert solution is not None
    return solution


@settings(max_examples=150, deadline=None)
@given(small_problems())
def test_solve_exact_matches_brute_force_minimum(problem):
    solution = _exact(problem)

    assert solution.objective == _brute_force_minimum(problem, team_rules=True)
    assert objective(problem, solution.allocation) == solution.objective
    _assert_feasible(problem, solution.allocation)


def test_solve_exact_out_of_time_returns_none():
    problem = _random_problem(3, team_rules=True, mixing_weight=150)

    assert solve_exact(problem, time_limit=0.0) is None
    assert search_exact(problem, time_limit=0.0).optimal is False


@pytest.mark.parametrize("mixing_weight", [0, 50, 150])
def test_welfare_flow_equals_cp_sat_without_team_rules(mixing_weight):
    for seed in range(100):
        problem = _random_problem(seed, team_rules=False, mixing_weight=mixing_weight)

        flow = WelfareFlow(problem).solve()
        exact = _exact(problem, team_rules=False)

        assert objective(problem, flow) == exact.objective, seed


@pytest.mark.parametrize("mixing_weight", MIXING_WEIGHTS)
def test_allocate_welfare_equals_cp_sat_when_no_team_rule_binds(mixing_weight):
    for seed in range(100):
        problem = _random_problem(seed, team_rules=False, mixing_weight=mixing_weight)

        allocation = allocate_welfare(problem)

        assert allocation.closed_cohorts == ()
        assert objective(problem, allocation) == _exact(problem).objective, seed


def _gaps() -> list[tuple[int, float]]:
    """(extra unplaced, extra rank steps at equal placements) of allocate_welfare against the
    optimum, for each seeded instance with team rules."""
    gaps = []
    for seed in SEEDS:
        for mixing_weight in MIXING_WEIGHTS:
            problem = _random_problem(seed, team_rules=True, mixing_weight=mixing_weight)
            allocation = allocate_welfare(problem)
            _assert_feasible(problem, allocation)
            exact = _exact(problem)
            extra_unplaced = len(allocation.unplaced) - len(exact.allocation.unplaced)
            gap = objective(problem, allocation) - exact.objective
            steps = gap / cost_scale(problem) if extra_unplaced == 0 else float("nan")
            assert gap >= 0
            assert extra_unplaced == round(gap / unplaced_penalty(problem)), seed
            gaps.append((extra_unplaced, steps))
    return gaps


# Observed on the 600 instances (300 seeds, mixing off and at 150; 10,752 students in all):
# 581 solved optimally (97 %); 590 (98 %) place as many students as the optimum and the other
# 10 one student fewer; where placements are equal, the rank cost is on average 0.02 rank steps
# above the optimum, at most 3. The bounds leave a little room.
GAP_BOUNDS = {
    "optimal_share": 0.95,
    "same_placements_share": 0.97,
    "max_extra_unplaced": 1,
    "total_extra_unplaced": 15,
    "mean_extra_rank_steps": 0.03,
    "max_extra_rank_steps": 3,
}


def test_allocate_welfare_gap_to_cp_sat_with_team_rules_stays_within_bounds():
    gaps = _gaps()
    same = [steps for extra, steps in gaps if extra == 0]
    extra_unplaced = Counter(extra for extra, _ in gaps)

    assert sum(1 for steps in same if steps == 0) / len(gaps) >= GAP_BOUNDS["optimal_share"]
    assert len(same) / len(gaps) >= GAP_BOUNDS["same_placements_share"]
    assert max(extra_unplaced) <= GAP_BOUNDS["max_extra_unplaced"]
    assert sum(k * n for k, n in extra_unplaced.items()) <= GAP_BOUNDS["total_extra_unplaced"]
    assert sum(same) / len(same) <= GAP_BOUNDS["mean_extra_rank_steps"]
    assert max(same) <= GAP_BOUNDS["max_extra_rank_steps"]
