"""The Meet & Match schedule core: the rules on any problem (hypothesis), wishes first, rounds
off spread evenly, explanations as data, and the gap to the exact optimum (CP-SAT)."""

import random
import subprocess
import sys
from collections import Counter
from itertools import combinations

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from events.models import Event
from events.schedule_input import Participant, ScheduleProblem, Theme
from events.services.schedule import proposal_faults
from matching.core.schedule import (
    ROLES,
    Explanation,
    PairPoints,
    SharedTheme,
    build_schedule,
    pair_points,
)
from matching.core.schedule_exact import solve_exact

pytestmark = pytest.mark.unit

# In the order schedule_problem gives them: by name.
THEMES = (Theme(2, "Armoede"), Theme(1, "Eenzaamheid"), Theme(3, "Vergrijzing"))


def person(pk, role="researcher", themes=(), wants=(), rather_not=()) -> Participant:
    return Participant(
        id=pk,
        role=role,
        name=f"Persoon {pk}",
        theme_ids=frozenset(themes),
        wants=frozenset(wants),
        rather_not=frozenset(rather_not),
    )


def problem_of(people, *, rounds=1, tables=10, seats=2, event_themes=()) -> ScheduleProblem:
    return ScheduleProblem(
        event_id=1,
        rounds=rounds,
        tables=tables,
        seats_per_table=seats,
        participants=tuple(people),
        themes=THEMES,
        event_theme_ids=frozenset(event_themes),
    )


def faults_of(problem: ScheduleProblem, schedule) -> list[str]:
    """What schedule_save would refuse, checked against an unsaved event of the same set-up."""
    event = Event(
        rounds=problem.rounds, tables=problem.tables, seats_per_table=problem.seats_per_table
    )
    with translation.override("en"):  # compared in English, the language of our msgids
        return [
            fault.message
            for fault in proposal_faults(
                event=event,
                proposal=schedule.proposal(),
                names={p.id: p.name for p in problem.participants},
                rather_not=problem.rather_not_pairs(),
            )
        ]


def tables_by_round(schedule) -> dict[int, list[tuple[int, ...]]]:
    by_round: dict[int, list[tuple[int, ...]]] = {}
    for table in schedule.tables:
        by_round.setdefault(table.round, []).append(table.participant_ids)
    return by_round


def met_pairs(schedule) -> Counter:
    return Counter(
        frozenset(pair)
        for table in schedule.tables
        for pair in combinations(table.participant_ids, 2)
    )


def idle_counts(problem: ScheduleProblem, schedule) -> Counter:
    counts = Counter({p.id: 0 for p in problem.participants})
    counts.update(pk for idle in schedule.idle for pk in idle)
    return counts


@st.composite
def problems(draw, max_people: int = 12) -> ScheduleProblem:
    ids = draw(st.lists(st.integers(1, 500), max_size=max_people, unique=True))
    people = []
    for pk in ids:
        others = st.sampled_from([other for other in ids if other != pk] or [pk])
        rather_not = draw(st.frozensets(others, max_size=2)) - {pk}
        wants = draw(st.frozensets(others, max_size=3)) - {pk} - rather_not
        people.append(
            person(
                pk,
                role=draw(st.sampled_from([*ROLES, "guest"])),
                themes=draw(st.frozensets(st.sampled_from([1, 2, 3]), max_size=3)),
                wants=wants,
                rather_not=rather_not,
            )
        )
    return problem_of(
        people,
        rounds=draw(st.integers(1, 4)),
        tables=draw(st.integers(1, 6)),
        seats=draw(st.integers(2, 4)),
        event_themes=draw(st.frozensets(st.sampled_from([1, 2, 3]), max_size=2)),
    )


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(0, 2**16))
def test_every_schedule_keeps_the_rules(problem, seed):
    schedule = build_schedule(problem, seed=seed)

    faults = faults_of(problem, schedule)
    assert faults == ([] if schedule.tables else ["The schedule has no meetings yet."])
    seats_per_round = Counter()
    for r, tables in tables_by_round(schedule).items():
        seated = [pk for table in tables for pk in table]
        assert len(seated) == len(set(seated))  # nobody twice in a round
        assert all(2 <= len(table) <= problem.seats_per_table for table in tables)
        assert len(tables) <= problem.tables
        seats_per_round[r] = len(seated)
        idle = set(schedule.idle[r - 1])
        assert idle == {p.id for p in problem.participants} - set(seated)
    assert max(met_pairs(schedule).values(), default=1) == 1  # nobody meets anyone twice
    assert not set(met_pairs(schedule)) & problem.rather_not_pairs()
    points = pair_points(problem)
    assert [t.score for t in schedule.tables] == [
        sum(points[tuple(sorted(pair))] for pair in combinations(t.participant_ids, 2))
        for t in schedule.tables
    ]


@settings(max_examples=25, deadline=None)
@given(problems(max_people=10), st.integers(0, 2**16), st.randoms(use_true_random=False))
def test_the_same_seed_gives_the_same_schedule_whatever_the_input_order(problem, seed, rnd):
    shuffled = list(problem.participants)
    rnd.shuffle(shuffled)
    reordered = problem_of(
        shuffled,
        rounds=problem.rounds,
        tables=problem.tables,
        seats=problem.seats_per_table,
        event_themes=problem.event_theme_ids,
    )

    assert build_schedule(reordered, seed=seed) == build_schedule(problem, seed=seed)


def test_a_mutual_wish_outranks_the_best_match_without_one():
    # Anna and Bram named each other but share nothing; Carla shares every theme with Anna,
    # and brings practice to her research.
    all_themes = {1, 2, 3}
    people = [
        person(1, themes=all_themes, wants={2}),
        person(2, role="student", wants={1}),
        person(3, role="practitioner", themes=all_themes),
        person(4, role="student"),
    ]

    schedule = build_schedule(problem_of(people, event_themes=all_themes))

    assert [t.participant_ids for t in schedule.tables] == [(1, 2), (3, 4)]


def test_a_one_sided_wish_outranks_the_best_match_without_one():
    all_themes = {1, 2, 3}
    people = [
        person(1, themes=all_themes),
        person(2, role="student", wants={1}),
        person(3, role="practitioner", themes=all_themes),
        person(4, role="student"),
    ]

    schedule = build_schedule(problem_of(people, event_themes=all_themes))

    assert [t.participant_ids for t in schedule.tables] == [(1, 2), (3, 4)]


def round_robin_wishes(n: int, wishes: int) -> list[Participant]:
    """n people whose mutual wishes are exactly the pairs of `wishes` rounds of a round robin
    (the circle method), so every wish can be met, one per round."""
    wants: dict[int, set[int]] = {pk: set() for pk in range(1, n + 1)}
    circle = list(range(1, n + 1))
    for _ in range(wishes):
        for k in range(n // 2):
            one, other = circle[k], circle[n - 1 - k]
            wants[one].add(other)
            wants[other].add(one)
        circle = [circle[0], circle[-1], *circle[1:-1]]
    return [person(pk, themes={pk % 3 + 1}, wants=wants[pk]) for pk in wants]


@pytest.mark.parametrize(
    ("n", "wishes", "rounds"),
    [
        (8, 3, 3),  # as many mutual wishes as rounds: every round must meet one
        (12, 4, 4),
        (40, 4, 5),  # no annealing
        (120, 4, 5),
        (400, 5, 6),  # the large path: no rebuilding either
    ],
)
def test_every_mutual_wish_is_met_when_the_rounds_allow_it(n, wishes, rounds):
    problem = problem_of(round_robin_wishes(n, wishes), rounds=rounds, tables=n)

    schedule = build_schedule(problem)

    assert problem.mutual_wishes() <= set(met_pairs(schedule))
    assert all(not idle for idle in schedule.idle)


def test_mutual_wishes_at_tables_for_four_are_met_too():
    # Two groups of four who all want each other, for one round of tables for four.
    people = [person(pk, wants={o for o in range(1, 5) if o != pk}) for pk in range(1, 5)] + [
        person(pk, wants={o for o in range(5, 9) if o != pk}) for pk in range(5, 9)
    ]

    schedule = build_schedule(problem_of(people, tables=2, seats=4))

    assert [t.participant_ids for t in schedule.tables] == [(1, 2, 3, 4), (5, 6, 7, 8)]


def test_a_rather_not_pair_sits_apart_even_when_that_leaves_both_out():
    schedule = build_schedule(problem_of([person(1, rather_not={2}), person(2)], rounds=2))

    assert schedule.tables == ()
    assert schedule.idle == ((1, 2), (1, 2))


def test_nobody_meets_anyone_twice_even_when_that_leaves_people_out():
    # Three people, tables for two: every pair can meet once, so round 4 has nobody to seat.
    schedule = build_schedule(problem_of([person(1), person(2), person(3)], rounds=4))

    assert len(schedule.tables) == 3
    assert set(met_pairs(schedule)) == {frozenset(p) for p in combinations((1, 2, 3), 2)}
    assert schedule.idle[3] == (1, 2, 3)


@pytest.mark.parametrize(
    ("n", "tables", "seats", "rounds", "idle_per_round"),
    [
        (10, 3, 2, 5, 4),  # 6 seats for 10 people
        (5, 3, 2, 5, 1),  # an odd number at tables for two
        (30, 6, 4, 6, 6),  # 24 seats for 30 people
        (401, 150, 2, 8, 101),  # the large path (no annealing, no rebuild)
    ],
)
def test_rounds_off_are_spread_evenly_when_seats_run_short(
    n, tables, seats, rounds, idle_per_round
):
    rng = random.Random(n)  # noqa: S311 (seeded test data, not security)
    people = [
        person(pk, role=rng.choice(ROLES), themes=rng.sample([1, 2, 3], rng.randint(0, 2)))
        for pk in range(1, n + 1)
    ]
    problem = problem_of(people, rounds=rounds, tables=tables, seats=seats)

    schedule = build_schedule(problem)

    assert [len(idle) for idle in schedule.idle] == [idle_per_round] * rounds
    counts = idle_counts(problem, schedule).values()
    assert max(counts) - min(counts) <= 1
    assert faults_of(problem, schedule) == []


def test_the_explanation_keeps_each_part_of_the_points():
    people = [
        person(1, role="researcher", themes={1, 3}, wants={2}),
        person(2, role="practitioner", themes={1, 3}, wants={1}),
        person(3, role="student", themes={2}, wants={1}),
        person(4, role="lecturer", themes={2, 3}),
    ]

    schedule = build_schedule(problem_of(people, tables=1, seats=4, event_themes={1}))

    (table,) = schedule.tables
    assert table.participant_ids == (1, 2, 3, 4)
    assert table.explanation == Explanation(
        # Eenzaamheid first, the event's theme; then Armoede and Vergrijzing by name.
        shared_themes=(
            SharedTheme(theme_id=1, participant_ids=(1, 2), of_event=True),
            SharedTheme(theme_id=2, participant_ids=(3, 4), of_event=False),
            SharedTheme(theme_id=3, participant_ids=(1, 2, 4), of_event=False),
        ),
        mutual_wishes=((1, 2),),
        one_sided_wishes=((3, 1),),
        roles=("researcher", "lecturer", "practitioner", "student"),
        points=PairPoints(
            new=6.0,  # six pairs
            themes=5.0,  # 1-2 share two themes, 1-4, 2-4 and 3-4 one each
            event_themes=0.5,  # 1-2 share Eenzaamheid
            roles=4.0,  # research and education meet practice: 1 each; four other mixes 0.5
            wishes=50.0,  # 1 and 2 mutually, 3 asked for 1
        ),
    )
    assert table.score == 65.5
    assert schedule.objective == 65.5


def test_a_pair_with_nothing_in_common_still_earns_the_point_for_meeting():
    schedule = build_schedule(problem_of([person(1), person(2)]))

    assert schedule.tables[0].explanation == Explanation(
        shared_themes=(),
        mutual_wishes=(),
        one_sided_wishes=(),
        roles=(),
        points=PairPoints(new=1.0),
    )


def small_problem(seed: int, n: int, rounds: int, seats: int, tables: int) -> ScheduleProblem:
    """A crowded small event: two or three wishes and one refusal each, five themes."""
    rng = random.Random(seed)  # noqa: S311 (seeded test data, not security)
    ids = list(range(1, n + 1))
    wants = {pk: set(rng.sample([o for o in ids if o != pk], 2)) for pk in ids}
    for pk in ids:  # about half the wishes are returned
        wants[pk] |= {o for o in ids if pk in wants[o] and rng.random() < 0.5}
    people = []
    for pk in ids:
        rather_not = set(rng.sample([o for o in ids if o != pk and o not in wants[pk]], 1))
        people.append(
            person(
                pk,
                role=rng.choice(ROLES),
                themes=rng.sample(range(1, 6), rng.randint(1, 3)),
                wants=wants[pk],
                rather_not=rather_not,
            )
        )
    return ScheduleProblem(
        event_id=1,
        rounds=rounds,
        tables=tables,
        seats_per_table=seats,
        participants=tuple(people),
        themes=tuple(Theme(t, f"Thema {t}") for t in range(1, 6)),
        event_theme_ids=frozenset({1, 2}),
    )


@pytest.mark.parametrize(
    ("seed", "n", "rounds", "seats", "tables"),
    [
        (1, 8, 3, 2, 4),
        (6, 8, 3, 2, 4),
        (2, 10, 3, 2, 5),
        (3, 12, 2, 2, 6),
        (4, 10, 3, 2, 4),  # two sit out each round
        (8, 11, 3, 2, 5),  # three sit out each round
        (5, 9, 2, 3, 3),
        (6, 9, 2, 3, 3),
        (7, 8, 2, 4, 2),
        (10, 8, 2, 4, 2),
        (11, 10, 3, 3, 3),
    ],
)
def test_small_schedules_come_within_five_per_cent_of_the_optimum(seed, n, rounds, seats, tables):
    problem = small_problem(seed, n, rounds, seats, tables)

    exact = solve_exact(problem, time_limit_s=60)
    schedule = build_schedule(problem)

    assert exact.optimal
    assert schedule.objective >= 0.95 * exact.objective
    assert schedule.objective <= exact.objective


def test_the_exact_model_keeps_the_rules_too():
    problem = small_problem(3, 9, 2, 3, 3)

    exact = solve_exact(problem)

    seated = Counter((r, pk) for r, ids in exact.tables for pk in ids)
    assert max(seated.values()) == 1
    assert all(2 <= len(ids) <= 3 for _r, ids in exact.tables)
    pairs = Counter(frozenset(p) for _r, ids in exact.tables for p in combinations(ids, 2))
    assert max(pairs.values()) == 1
    assert not set(pairs) & problem.rather_not_pairs()


def test_the_core_imports_without_django():
    code = (
        "import sys; import matching.core.schedule, matching.core.schedule_exact; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd="."
    )

    assert (result.returncode, result.stderr) == (0, "")
