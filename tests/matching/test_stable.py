"""The stable allocation core (SPA-student): hand cases, blocking pairs and brute force."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.core.allocation import Allocation
from matching.core.stable import (
    Lecturer,
    StableCohort,
    StableProblem,
    StableStudent,
    allocate_stable,
    blocking_pairs,
    validate_stable,
)

pytestmark = pytest.mark.unit


def _student(student_id, *choices, eligible=None):
    return StableStudent(id=student_id, choices=choices, eligible=eligible)


def _problem(students, cohorts, lecturers):
    return StableProblem(
        students=tuple(students), cohorts=tuple(cohorts), lecturers=tuple(lecturers)
    )


def _paper_example() -> StableProblem:
    """The example instance of Abraham, Irving and Manlove (2007), reconstructed from its text.

    Seven students, eight projects, three lecturers: l1 offers p1-p3 (d=3), l2 offers p4-p6
    (d=2), l3 offers p7 and p8 (d=2); p1 has two places, the others one.
    """
    students = [
        _student(1, 1, 7),
        _student(2, 1, 2, 3, 4, 5, 6),
        _student(3, 2, 1, 4),
        _student(4, 2),
        _student(5, 1, 2, 3, 4),
        _student(6, 2, 3, 4, 5, 6),
        _student(7, 5, 3, 8),
    ]
    cohorts = [
        StableCohort(id=1, capacity=2, lecturer_id=1),
        StableCohort(id=2, capacity=1, lecturer_id=1),
        StableCohort(id=3, capacity=1, lecturer_id=1),
        StableCohort(id=4, capacity=1, lecturer_id=2),
        StableCohort(id=5, capacity=1, lecturer_id=2),
        StableCohort(id=6, capacity=1, lecturer_id=2),
        StableCohort(id=7, capacity=1, lecturer_id=3),
        StableCohort(id=8, capacity=1, lecturer_id=3),
    ]
    lecturers = [
        Lecturer(id=1, capacity=3, ranking=(7, 4, 1, 3, 2, 5, 6)),
        Lecturer(id=2, capacity=2, ranking=(3, 2, 6, 7, 5)),
        Lecturer(id=3, capacity=2, ranking=(1, 7)),
    ]
    return _problem(students, cohorts, lecturers)


def test_allocate_stable_paper_example_gives_the_student_optimal_matching():
    problem = _paper_example()

    allocation = allocate_stable(problem)

    assert allocation == Allocation(
        assignments={1: 1, 2: 5, 3: 4, 4: 2, 7: 3},
        unplaced=(5, 6),
        total_rank_cost=1 + 5 + 3 + 1 + 2,
        rank_histogram={1: 2, 2: 1, 3: 1, 5: 1},
    )
    assert blocking_pairs(problem, allocation.assignments) == []
    # The instance has exactly one stable matching, so it is also the one brute force finds.
    assert _stable_matchings(problem) == [allocation.assignments]


def test_allocate_stable_two_stable_matchings_gives_the_students_choice():
    # Students and lecturers want opposite things: both matchings are stable, and the
    # students' favourite is the one SPA-student returns.
    problem = _problem(
        [_student(1, 10, 11), _student(2, 11, 10)],
        [
            StableCohort(id=10, capacity=1, lecturer_id=1),
            StableCohort(id=11, capacity=1, lecturer_id=2),
        ],
        [Lecturer(id=1, capacity=1, ranking=(2, 1)), Lecturer(id=2, capacity=1, ranking=(1, 2))],
    )

    assert _stable_matchings(problem) == [{1: 10, 2: 11}, {1: 11, 2: 10}]
    assert allocate_stable(problem).assignments == {1: 10, 2: 11}


def test_allocate_stable_full_cohort_keeps_the_lecturers_favourites():
    problem = _problem(
        [_student(1, 10), _student(2, 10), _student(3, 10)],
        [StableCohort(id=10, capacity=2, lecturer_id=1)],
        [Lecturer(id=1, capacity=5, ranking=(3, 1, 2))],
    )

    allocation = allocate_stable(problem)

    assert allocation.assignments == {1: 10, 3: 10}
    assert allocation.unplaced == (2,)


def test_allocate_stable_full_lecturer_rejects_its_worst_across_cohorts():
    # Two cohorts with room, but the project takes only two students in all.
    problem = _problem(
        [_student(1, 10), _student(2, 11), _student(3, 11, 12)],
        [
            StableCohort(id=10, capacity=2, lecturer_id=1),
            StableCohort(id=11, capacity=2, lecturer_id=1),
            StableCohort(id=12, capacity=1, lecturer_id=2),
        ],
        [Lecturer(id=1, capacity=2, ranking=(3, 2, 1)), Lecturer(id=2, capacity=1, ranking=(3,))],
    )

    allocation = allocate_stable(problem)

    assert allocation.assignments == {2: 11, 3: 11}
    assert allocation.unplaced == (1,)


def test_allocate_stable_student_the_lecturer_did_not_rank_is_not_placed():
    problem = _problem(
        [_student(1, 10, 11), _student(2, 10)],
        [
            StableCohort(id=10, capacity=3, lecturer_id=1),
            StableCohort(id=11, capacity=3, lecturer_id=2),
        ],
        [Lecturer(id=1, capacity=3, ranking=(2,)), Lecturer(id=2, capacity=3, ranking=(1,))],
    )

    allocation = allocate_stable(problem)

    assert allocation.assignments == {1: 11, 2: 10}
    assert allocation.rank_histogram == {1: 1, 2: 1}


def test_allocate_stable_ineligible_choice_is_skipped():
    problem = _problem(
        [_student(1, 10, 11, eligible=frozenset({11}))],
        [
            StableCohort(id=10, capacity=1, lecturer_id=1),
            StableCohort(id=11, capacity=1, lecturer_id=1),
        ],
        [Lecturer(id=1, capacity=2, ranking=(1,))],
    )

    assert allocate_stable(problem).assignments == {1: 11}


def test_allocate_stable_zero_capacities_place_nobody():
    problem = _problem(
        [_student(1, 10, 11)],
        [
            StableCohort(id=10, capacity=0, lecturer_id=1),
            StableCohort(id=11, capacity=2, lecturer_id=2),
        ],
        [Lecturer(id=1, capacity=2, ranking=(1,)), Lecturer(id=2, capacity=0, ranking=(1,))],
    )

    allocation = allocate_stable(problem)

    assert allocation.assignments == {}
    assert allocation.unplaced == (1,)
    assert blocking_pairs(problem, allocation.assignments) == []


def test_allocate_stable_ranking_may_name_students_outside_the_problem():
    problem = _problem(
        [_student(1, 10)],
        [StableCohort(id=10, capacity=1, lecturer_id=1)],
        [Lecturer(id=1, capacity=1, ranking=(99, 1))],
    )

    assert allocate_stable(problem).assignments == {1: 10}


def test_allocate_stable_empty_problem_places_nobody():
    assert allocate_stable(_problem([], [], [])) == Allocation(
        assignments={}, unplaced=(), total_rank_cost=0, rank_histogram={}
    )


def test_allocate_stable_input_order_does_not_matter():
    problem = _paper_example()
    students = problem.students
    shuffled = [students[i] for i in (4, 0, 6, 2, 5, 1, 3)]
    reordered = _problem(shuffled, reversed(problem.cohorts), reversed(problem.lecturers))

    assert allocate_stable(reordered) == allocate_stable(problem)


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        (
            _problem([_student(1), _student(1)], [], []),
            "Duplicate student ids [1].",
        ),
        (
            _problem(
                [],
                [StableCohort(id=5, capacity=1, lecturer_id=1)] * 2,
                [Lecturer(id=1, capacity=1, ranking=())],
            ),
            "Duplicate cohort ids [5].",
        ),
        (
            _problem([], [], [Lecturer(id=2, capacity=1, ranking=())] * 2),
            "Duplicate lecturer ids [2].",
        ),
        (
            _problem([], [StableCohort(id=5, capacity=1, lecturer_id=9)], []),
            "Cohort 5 names unknown lecturer 9.",
        ),
        (
            _problem(
                [_student(1, 5, 6)],
                [StableCohort(id=5, capacity=1, lecturer_id=1)],
                [Lecturer(id=1, capacity=1, ranking=(1,))],
            ),
            "Student 1 chose unknown cohorts [6].",
        ),
        (
            _problem(
                [_student(1, 5, 5)],
                [StableCohort(id=5, capacity=1, lecturer_id=1)],
                [Lecturer(id=1, capacity=1, ranking=(1,))],
            ),
            "Student 1 lists cohorts [5] more than once.",
        ),
        (
            _problem(
                [],
                [StableCohort(id=5, capacity=-1, lecturer_id=1)],
                [Lecturer(id=1, capacity=1, ranking=())],
            ),
            "Cohort 5 has a negative capacity (-1).",
        ),
        (
            _problem([], [], [Lecturer(id=1, capacity=-2, ranking=())]),
            "Lecturer 1 has a negative capacity (-2).",
        ),
        (
            _problem([], [], [Lecturer(id=1, capacity=1, ranking=(3, 4, 3))]),
            "Lecturer 1 ranks students [3] more than once.",
        ),
    ],
)
def test_validate_stable_malformed_problem_names_the_ids(problem, message):
    with pytest.raises(ValueError) as error:
        validate_stable(problem)

    assert str(error.value) == message
    with pytest.raises(ValueError):
        allocate_stable(problem)


def _two_cohort_problem(*, cohort_capacity=1, lecturer_capacity=2, ranking=(1, 2)):
    """Students 1 and 2 both want cohort 10 first, then 11; one lecturer offers both."""
    return _problem(
        [_student(1, 10, 11), _student(2, 10, 11)],
        [
            StableCohort(id=10, capacity=cohort_capacity, lecturer_id=1),
            StableCohort(id=11, capacity=1, lecturer_id=1),
        ],
        [Lecturer(id=1, capacity=lecturer_capacity, ranking=ranking)],
    )


def test_blocking_pairs_cohort_and_lecturer_under_capacity_block():
    # Case (a): student 1 is unplaced, and the lecturer has room; cohort 10 only when its
    # capacity is 2 (full at 1, with student 2 whom the lecturer prefers).
    full = _two_cohort_problem(ranking=(2, 1))
    roomy = _two_cohort_problem(cohort_capacity=2, ranking=(2, 1))

    assert blocking_pairs(full, {2: 10}) == [(1, 11)]
    assert blocking_pairs(roomy, {2: 10}) == [(1, 10), (1, 11)]


def test_blocking_pairs_full_lecturer_blocks_when_student_is_already_its_own():
    # Case (b), first half: student 1 moves up from 11 to 10 within the same lecturer.
    problem = _two_cohort_problem(cohort_capacity=2, lecturer_capacity=1, ranking=(1, 2))

    assert blocking_pairs(problem, {1: 11}) == [(1, 10)]


def test_blocking_pairs_full_lecturer_blocks_when_it_prefers_the_student():
    # Case (b), second half: the lecturer is full with student 2 but ranks student 1 higher.
    problem = _problem(
        [_student(1, 10), _student(2, 11)],
        [
            StableCohort(id=10, capacity=1, lecturer_id=1),
            StableCohort(id=11, capacity=1, lecturer_id=1),
        ],
        [Lecturer(id=1, capacity=1, ranking=(1, 2))],
    )

    assert blocking_pairs(problem, {2: 11}) == [(1, 10)]
    assert blocking_pairs(problem, {1: 10}) == []


def test_blocking_pairs_full_cohort_blocks_when_lecturer_prefers_the_student():
    # Case (c): cohort 10 is full with student 2, whom the lecturer ranks below student 1.
    problem = _two_cohort_problem(ranking=(1, 2))

    assert blocking_pairs(problem, {2: 10, 1: 11}) == [(1, 10)]
    assert blocking_pairs(problem, {1: 10, 2: 11}) == []


@pytest.mark.parametrize(
    ("assignments", "message"),
    [
        ({1: 12}, "Student 1 is placed in cohort 12, not on their list."),
        ({3: 10}, "Student 3 is placed in cohort 10, not on their list."),
        ({1: 10, 2: 10}, "Cohort 10 holds 2 students, over its capacity."),
    ],
)
def test_blocking_pairs_refuses_what_is_not_a_matching(assignments, message):
    with pytest.raises(ValueError) as error:
        blocking_pairs(_two_cohort_problem(), assignments)

    assert str(error.value) == message


def test_blocking_pairs_refuses_a_pair_the_lecturer_did_not_rank():
    with pytest.raises(ValueError) as error:
        blocking_pairs(_two_cohort_problem(ranking=(2,)), {1: 11})

    assert str(error.value) == "Student 1 and cohort 11 are not acceptable to each other."


def test_blocking_pairs_refuses_an_over_full_lecturer():
    with pytest.raises(ValueError) as error:
        blocking_pairs(_two_cohort_problem(lecturer_capacity=1), {1: 10, 2: 11})

    assert str(error.value) == "Lecturer 1 holds 2 students, over its capacity."


@st.composite
def small_problems(draw, max_students=6, max_cohorts=5, max_lecturers=3):
    """Random small instances: any capacities (zero, below or above the cohorts' sum),
    partial rankings, eligibility, and ranked ids that are not in the problem."""
    lecturer_ids = list(range(100, 100 + draw(st.integers(1, max_lecturers))))
    cohort_ids = list(range(1, draw(st.integers(1, max_cohorts)) + 1))
    cohorts = [
        StableCohort(
            id=cohort_id,
            capacity=draw(st.integers(0, 3)),
            lecturer_id=draw(st.sampled_from(lecturer_ids)),
        )
        for cohort_id in cohort_ids
    ]
    student_ids = list(range(1, draw(st.integers(0, max_students)) + 1))
    students = []
    for student_id in student_ids:
        order = draw(st.permutations(cohort_ids))
        choices = tuple(order[: draw(st.integers(0, len(order)))])
        eligible = draw(st.none() | st.frozensets(st.sampled_from(cohort_ids)))
        students.append(StableStudent(id=student_id, choices=choices, eligible=eligible))
    lecturers = []
    for lecturer_id in lecturer_ids:
        order = draw(st.permutations([*student_ids, 999]))
        ranking = tuple(order[: draw(st.integers(0, len(order)))])
        lecturers.append(
            Lecturer(id=lecturer_id, capacity=draw(st.integers(0, 5)), ranking=ranking)
        )
    return _problem(students, cohorts, lecturers)


@st.composite
def contested_problems(draw):
    """As many students as one-place cohorts, everyone ranking everyone: like stable marriage,
    these often have several stable matchings, which is what student-optimality is about.
    Sometimes the first two cohorts share a lecturer with room for both."""
    size = draw(st.integers(2, 4))
    cohort_ids = list(range(1, size + 1))
    student_ids = list(range(1, size + 1))
    shared = draw(st.booleans())
    cohorts = [
        StableCohort(id=c, capacity=1, lecturer_id=100 if shared and c <= 2 else 100 + c)
        for c in cohort_ids
    ]
    students = [
        StableStudent(id=s, choices=tuple(draw(st.permutations(cohort_ids)))) for s in student_ids
    ]
    lecturers = [
        Lecturer(
            id=lecturer_id,
            capacity=2 if lecturer_id == 100 else 1,
            ranking=tuple(draw(st.permutations(student_ids))),
        )
        for lecturer_id in sorted({cohort.lecturer_id for cohort in cohorts})
    ]
    return _problem(students, cohorts, lecturers)


def _acceptable(problem: StableProblem, student: StableStudent, cohort_id: int) -> bool:
    lecturer_of = {cohort.id: cohort.lecturer_id for cohort in problem.cohorts}
    ranking = {lecturer.id: lecturer.ranking for lecturer in problem.lecturers}
    return (student.eligible is None or cohort_id in student.eligible) and (
        student.id in ranking[lecturer_of[cohort_id]]
    )


def _stable_matchings(problem: StableProblem) -> list[dict[int, int]]:
    """Every stable matching, by trying every way to give each student a choice or nothing."""
    options = [
        [None, *(c for c in student.choices if _acceptable(problem, student, c))]
        for student in problem.students
    ]
    capacity = {cohort.id: cohort.capacity for cohort in problem.cohorts}
    lecturer_of = {cohort.id: cohort.lecturer_id for cohort in problem.cohorts}
    lecturer_capacity = {lecturer.id: lecturer.capacity for lecturer in problem.lecturers}
    stable = []
    for combination in itertools.product(*options):
        chosen = [c for c in combination if c is not None]
        if any(chosen.count(c) > capacity[c] for c in set(chosen)):
            continue
        lecturers = [lecturer_of[c] for c in chosen]
        if any(lecturers.count(k) > lecturer_capacity[k] for k in set(lecturers)):
            continue
        matching = {
            student.id: cohort
            for student, cohort in zip(problem.students, combination, strict=True)
            if cohort is not None
        }
        if not blocking_pairs(problem, matching):
            stable.append(matching)
    return stable


@settings(max_examples=300, deadline=None)
@given(small_problems())
def test_allocate_stable_random_problem_is_a_stable_matching(problem):
    allocation = allocate_stable(problem)

    students = {student.id: student for student in problem.students}
    capacity = {cohort.id: cohort.capacity for cohort in problem.cohorts}
    lecturer_of = {cohort.id: cohort.lecturer_id for cohort in problem.cohorts}
    lecturer_capacity = {lecturer.id: lecturer.capacity for lecturer in problem.lecturers}
    for student_id, cohort_id in allocation.assignments.items():
        assert cohort_id in students[student_id].choices
        assert _acceptable(problem, students[student_id], cohort_id)
    chosen = list(allocation.assignments.values())
    assert all(chosen.count(c) <= capacity[c] for c in set(chosen))
    lecturers = [lecturer_of[c] for c in chosen]
    assert all(lecturers.count(k) <= lecturer_capacity[k] for k in set(lecturers))
    assert sorted([*allocation.assignments, *allocation.unplaced]) == sorted(students)
    assert blocking_pairs(problem, allocation.assignments) == []
    ranks = [students[s].choices.index(c) + 1 for s, c in allocation.assignments.items()]
    assert allocation.total_rank_cost == sum(ranks)
    assert allocation.rank_histogram == {r: ranks.count(r) for r in sorted(set(ranks))}


@settings(max_examples=300, deadline=None)
@given(small_problems(max_students=4, max_cohorts=3, max_lecturers=2) | contested_problems())
def test_allocate_stable_tiny_problem_is_student_optimal(problem):
    allocation = allocate_stable(problem)
    stable = _stable_matchings(problem)

    assert allocation.assignments in stable
    # Weakly preferred by every student to every stable matching; unplaced counts as last.
    for student in problem.students:
        worst = len(student.choices)

        def place(matching, student=student, worst=worst):
            cohort = matching.get(student.id)
            return worst if cohort is None else student.choices.index(cohort)

        assert all(place(allocation.assignments) <= place(other) for other in stable)


@settings(max_examples=300, deadline=None)
@given(small_problems(max_students=4, max_cohorts=3, max_lecturers=2) | contested_problems())
def test_stable_matchings_tiny_problem_place_the_same_students(problem):
    lecturer_of = {cohort.id: cohort.lecturer_id for cohort in problem.cohorts}
    lecturer_capacity = {lecturer.id: lecturer.capacity for lecturer in problem.lecturers}
    stable = _stable_matchings(problem)

    def lecturer_counts(matching):
        counts = dict.fromkeys(lecturer_capacity, 0)
        for cohort in matching.values():
            counts[lecturer_of[cohort]] += 1
        return counts

    def cohort_counts(matching):
        return {c: list(matching.values()).count(c) for c in lecturer_of}

    # The paper's analogue of the Rural Hospitals theorem: the same students are placed, each
    # lecturer holds as many students, and a lecturer with room left has the same number in
    # each of its cohorts, in every stable matching.
    first = stable[0]
    assert set(allocate_stable(problem).assignments) == set(first)
    for other in stable[1:]:
        assert set(other) == set(first)
        assert lecturer_counts(other) == lecturer_counts(first)
        for cohort, count in cohort_counts(other).items():
            lecturer = lecturer_of[cohort]
            if lecturer_counts(first)[lecturer] < lecturer_capacity[lecturer]:
                assert count == cohort_counts(first)[cohort]
