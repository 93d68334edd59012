"""Student-optimal stable allocation: algorithm SPA-student (Abraham, Irving and Manlove 2007).

In the paper's Student-Project Allocation problem, lecturers offer projects. Here a *project* is
a cohort (capacity c_j) and a *lecturer* is the CSL project that offers the cohorts (capacity
d_k, one ranking over students, best first). Students rank cohorts, best first. A student and
a cohort are acceptable to each other when the cohort is on the student's list, in their
eligible set (if one is given), and the student is on the ranking of the cohort's lecturer.

The algorithm: a free student applies to the first cohort left on their list. A cohort over its
capacity rejects its worst student (by its lecturer's ranking); otherwise a lecturer over its
capacity rejects its worst student, whichever of its cohorts they are in. Once a cohort is
full, students ranked below its worst member can never get in, so those pairs are deleted;
once a lecturer is full, the same holds for all of its cohorts. A student's pointer only moves
forward through their list and a cohort's or lecturer's only backward through its ranking, so
the run is linear in the total length of the lists.

The result is the student-optimal stable matching: no blocking pair (`blocking_pairs`), and
every student gets the best cohort they have in any stable matching. Every stable matching
places the same students, so no stable matching places more. Cohorts or lecturers with no
capacity take nobody; such pairs can never block, so they are left out from the start.
"""

from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from matching.core.allocation import Allocation, rank_cost


@dataclass(frozen=True)
class StableStudent:
    id: int
    # Cohort ids, best first.
    choices: tuple[int, ...]
    # Cohort ids the student may join; None means every cohort on their list.
    eligible: frozenset[int] | None = None


@dataclass(frozen=True)
class StableCohort:
    id: int
    capacity: int
    # The CSL project that offers this cohort (the paper's lecturer).
    lecturer_id: int


@dataclass(frozen=True)
class Lecturer:
    """The CSL project as the paper's lecturer: one capacity and one ranking for its cohorts."""

    id: int
    capacity: int
    # Student ids, best first. Students missing from the problem are ignored, so a project's
    # full ranking can be passed for a problem about some of its applicants only.
    ranking: tuple[int, ...]


@dataclass(frozen=True)
class StableProblem:
    students: tuple[StableStudent, ...]
    cohorts: tuple[StableCohort, ...]
    lecturers: tuple[Lecturer, ...]


def validate_stable(problem: StableProblem) -> None:
    """Raise ValueError, naming the offending ids, if the problem is malformed."""
    _require_unique("student", (student.id for student in problem.students))
    _require_unique("cohort", (cohort.id for cohort in problem.cohorts))
    _require_unique("lecturer", (lecturer.id for lecturer in problem.lecturers))
    for lecturer in problem.lecturers:
        if lecturer.capacity < 0:
            msg = f"Lecturer {lecturer.id} has a negative capacity ({lecturer.capacity})."
            raise ValueError(msg)
        repeated = _repeated(lecturer.ranking)
        if repeated:
            msg = f"Lecturer {lecturer.id} ranks students {repeated} more than once."
            raise ValueError(msg)
    lecturer_ids = {lecturer.id for lecturer in problem.lecturers}
    for cohort in problem.cohorts:
        if cohort.capacity < 0:
            msg = f"Cohort {cohort.id} has a negative capacity ({cohort.capacity})."
            raise ValueError(msg)
        if cohort.lecturer_id not in lecturer_ids:
            msg = f"Cohort {cohort.id} names unknown lecturer {cohort.lecturer_id}."
            raise ValueError(msg)
    cohort_ids = {cohort.id for cohort in problem.cohorts}
    for student in problem.students:
        unknown = sorted(set(student.choices) - cohort_ids)
        if unknown:
            msg = f"Student {student.id} chose unknown cohorts {unknown}."
            raise ValueError(msg)
        repeated = _repeated(student.choices)
        if repeated:
            msg = f"Student {student.id} lists cohorts {repeated} more than once."
            raise ValueError(msg)


def _repeated(ids: Iterable[int]) -> list[int]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def _require_unique(kind: str, ids: Iterable[int]) -> None:
    repeated = _repeated(ids)
    if repeated:
        msg = f"Duplicate {kind} ids {repeated}."
        raise ValueError(msg)


class _Lookup:
    """The problem as dictionaries, for constant-time questions about one pair."""

    def __init__(self, problem: StableProblem):
        self.cohorts = {cohort.id: cohort for cohort in problem.cohorts}
        self.lecturers = {lecturer.id: lecturer for lecturer in problem.lecturers}
        # Lecturer id -> student id -> 0-based position in the ranking (lower is better).
        self.position = {
            lecturer.id: {student_id: i for i, student_id in enumerate(lecturer.ranking)}
            for lecturer in problem.lecturers
        }

    def acceptable(self, student: StableStudent, cohort_id: int) -> bool:
        """Whether the pair may be matched at all: on the student's list, eligible, ranked."""
        if student.eligible is not None and cohort_id not in student.eligible:
            return False
        return student.id in self.position[self.cohorts[cohort_id].lecturer_id]

    def lecturer_of(self, cohort_id: int) -> int:
        return self.cohorts[cohort_id].lecturer_id


def allocate_stable(problem: StableProblem) -> Allocation:
    """The student-optimal stable matching of students to cohorts (SPA-student).

    Respects cohort and lecturer capacities, eligibility and the lecturers' rankings (a student
    a lecturer did not rank is never placed in its cohorts). Deterministic. Raises ValueError
    on a malformed problem (see `validate_stable`).
    """
    validate_stable(problem)
    students = sorted(problem.students, key=lambda s: s.id)
    run = _SpaStudent(problem, students)
    run.solve()
    assignments: dict[int, int] = {}
    histogram: Counter[int] = Counter()
    for index, student in enumerate(students):
        edge = run.assigned[index]
        if edge >= 0:
            assignments[student.id] = run.cohort_ids[run.edge_cohort[edge]]
            histogram[run.edge_rank[edge]] += 1
    unplaced = tuple(student.id for student in students if student.id not in assignments)
    return Allocation(
        assignments=assignments,
        unplaced=unplaced,
        total_rank_cost=sum(rank_cost(rank) * n for rank, n in histogram.items()),
        rank_histogram=dict(sorted(histogram.items())),
    )


class _SpaStudent:
    """One run of SPA-student over integer indices.

    An *edge* is one acceptable (student, cohort) pair. Deleting an edge is lazy: a flag that
    the student's pointer and the cohorts' and lecturers' tail pointers skip over.
    """

    def __init__(self, problem: StableProblem, students: list[StableStudent]):
        lookup = _Lookup(problem)
        cohorts = sorted(problem.cohorts, key=lambda c: c.id)
        lecturers = sorted(problem.lecturers, key=lambda lecturer: lecturer.id)
        self.cohort_ids = [cohort.id for cohort in cohorts]
        cohort_index = {cohort.id: i for i, cohort in enumerate(cohorts)}
        lecturer_index = {lecturer.id: i for i, lecturer in enumerate(lecturers)}
        self.cohort_capacity = [cohort.capacity for cohort in cohorts]
        self.cohort_lecturer = [lecturer_index[cohort.lecturer_id] for cohort in cohorts]
        self.lecturer_capacity = [lecturer.capacity for lecturer in lecturers]

        self.edge_student: list[int] = []
        self.edge_cohort: list[int] = []
        # 1-based position of the cohort in the student's own list, for the histogram.
        self.edge_rank: list[int] = []
        self.student_edges: list[list[int]] = []
        # Student index -> lecturer index -> that student's edges to the lecturer's cohorts.
        edges_by_lecturer: list[dict[int, list[int]]] = []
        for index, student in enumerate(students):
            own: list[int] = []
            by_lecturer: dict[int, list[int]] = {}
            for rank, cohort_id in enumerate(student.choices, start=1):
                if not lookup.acceptable(student, cohort_id):
                    continue
                cohort = cohort_index[cohort_id]
                lecturer = self.cohort_lecturer[cohort]
                # Nobody can ever be placed there, and such a pair never blocks.
                if self.cohort_capacity[cohort] == 0 or self.lecturer_capacity[lecturer] == 0:
                    continue
                edge = len(self.edge_student)
                self.edge_student.append(index)
                self.edge_cohort.append(cohort)
                self.edge_rank.append(rank)
                own.append(edge)
                by_lecturer.setdefault(lecturer, []).append(edge)
            self.student_edges.append(own)
            edges_by_lecturer.append(by_lecturer)

        # The lecturer's ranking, restricted to students with edges to it, and the paper's
        # projected lists L_k^j: for each cohort, its edges in the lecturer's order.
        student_index = {student.id: i for i, student in enumerate(students)}
        self.lecturer_list: list[list[tuple[int, list[int]]]] = []
        self.cohort_list: list[list[int]] = [[] for _ in cohorts]
        for k, lecturer in enumerate(lecturers):
            entries = []
            for student_id in lecturer.ranking:
                index = student_index.get(student_id)
                edges = edges_by_lecturer[index].get(k) if index is not None else None
                if edges:
                    entries.append((index, edges))
                    for edge in edges:
                        self.cohort_list[self.edge_cohort[edge]].append(edge)
            self.lecturer_list.append(entries)

        self.deleted = bytearray(len(self.edge_student))
        # Student index -> the edge they hold, or -1.
        self.assigned = [-1] * len(students)
        self.next_choice = [0] * len(students)
        self.cohort_count = [0] * len(cohorts)
        self.lecturer_count = [0] * len(lecturers)
        self.cohort_tail = [len(entries) - 1 for entries in self.cohort_list]
        self.lecturer_tail = [len(entries) - 1 for entries in self.lecturer_list]

    def solve(self) -> None:
        free = deque(range(len(self.student_edges)))
        while free:
            student = free.popleft()
            edge = self._first_left(student)
            if edge is None:
                continue
            cohort = self.edge_cohort[edge]
            lecturer = self.cohort_lecturer[cohort]
            self._assign(student, edge)
            if self.cohort_count[cohort] > self.cohort_capacity[cohort]:
                free.append(self._reject(self._worst_in_cohort(cohort)))
            elif self.lecturer_count[lecturer] > self.lecturer_capacity[lecturer]:
                free.append(self._reject(self._worst_of_lecturer(lecturer)))
            # Both scans delete the pairs behind the worst member as they go.
            if self.cohort_count[cohort] == self.cohort_capacity[cohort]:
                self._worst_in_cohort(cohort)
            if self.lecturer_count[lecturer] == self.lecturer_capacity[lecturer]:
                self._worst_of_lecturer(lecturer)

    def _first_left(self, student: int) -> int | None:
        edges = self.student_edges[student]
        position = self.next_choice[student]
        while position < len(edges) and self.deleted[edges[position]]:
            position += 1
        self.next_choice[student] = position
        return edges[position] if position < len(edges) else None

    def _assign(self, student: int, edge: int) -> None:
        cohort = self.edge_cohort[edge]
        self.assigned[student] = edge
        self.cohort_count[cohort] += 1
        self.lecturer_count[self.cohort_lecturer[cohort]] += 1

    def _reject(self, student: int) -> int:
        edge = self.assigned[student]
        cohort = self.edge_cohort[edge]
        self.assigned[student] = -1
        self.cohort_count[cohort] -= 1
        self.lecturer_count[self.cohort_lecturer[cohort]] -= 1
        # The full-cohort or full-lecturer scan that follows deletes this pair as well; deleting
        # it here too keeps the student from applying to the same cohort again.
        self.deleted[edge] = 1
        return student

    def _worst_in_cohort(self, cohort: int) -> int:
        """The worst student the cohort holds; everyone ranked below them is deleted.

        Called only when the cohort is full or over, when nobody below its worst member can
        get in any more, so the deletions are the paper's "delete successors" step.
        """
        entries = self.cohort_list[cohort]
        tail = self.cohort_tail[cohort]
        while self.assigned[self.edge_student[entries[tail]]] != entries[tail]:
            self.deleted[entries[tail]] = 1
            tail -= 1
        self.cohort_tail[cohort] = tail
        return self.edge_student[entries[tail]]

    def _worst_of_lecturer(self, lecturer: int) -> int:
        """The worst student the lecturer holds, in any of its cohorts; as `_worst_in_cohort`,
        everyone ranked below them loses all of the lecturer's cohorts."""
        entries = self.lecturer_list[lecturer]
        tail = self.lecturer_tail[lecturer]
        while True:
            student, edges = entries[tail]
            edge = self.assigned[student]
            if edge >= 0 and self.cohort_lecturer[self.edge_cohort[edge]] == lecturer:
                break
            for own in edges:
                self.deleted[own] = 1
            tail -= 1
        self.lecturer_tail[lecturer] = tail
        return student


def blocking_pairs(problem: StableProblem, assignments: Mapping[int, int]) -> list[tuple[int, int]]:
    """(student id, cohort id) pairs that block the matching, in student id and list order.

    Per Abraham, Irving and Manlove, an acceptable pair (s, c), with lecturer k offering c,
    blocks when s is unplaced or prefers c to their cohort, and one of:
    (a) c and k are both under capacity;
    (b) c is under capacity, k is full, and s is already in one of k's cohorts or k prefers s
        to its worst student;
    (c) c is full and k prefers s to the worst student in c.
    Raises ValueError if `assignments` is not a matching of the problem.
    """
    validate_stable(problem)
    lookup = _Lookup(problem)
    _require_matching(problem, lookup, assignments)
    cohort_count: Counter[int] = Counter(assignments.values())
    lecturer_count: Counter[int] = Counter()
    # Worst position (in the lecturer's ranking) among a cohort's or lecturer's students; -1
    # when it holds nobody, so that "prefers s to its worst" is false for an empty one.
    cohort_worst: dict[int, int] = {}
    lecturer_worst: dict[int, int] = {}
    for student_id, cohort_id in assignments.items():
        lecturer_id = lookup.lecturer_of(cohort_id)
        position = lookup.position[lecturer_id][student_id]
        lecturer_count[lecturer_id] += 1
        cohort_worst[cohort_id] = max(cohort_worst.get(cohort_id, -1), position)
        lecturer_worst[lecturer_id] = max(lecturer_worst.get(lecturer_id, -1), position)

    blocking = []
    for student in sorted(problem.students, key=lambda s: s.id):
        current = assignments.get(student.id)
        current_lecturer = lookup.lecturer_of(current) if current is not None else None
        for cohort_id in student.choices:
            if cohort_id == current:
                break
            if not lookup.acceptable(student, cohort_id):
                continue
            cohort = lookup.cohorts[cohort_id]
            lecturer = lookup.lecturers[cohort.lecturer_id]
            position = lookup.position[lecturer.id][student.id]
            if cohort_count[cohort_id] < cohort.capacity:
                blocks = (
                    lecturer_count[lecturer.id] < lecturer.capacity
                    or current_lecturer == lecturer.id
                    or position < lecturer_worst.get(lecturer.id, -1)
                )
            else:
                blocks = position < cohort_worst.get(cohort_id, -1)
            if blocks:
                blocking.append((student.id, cohort_id))
    return blocking


def _require_matching(
    problem: StableProblem, lookup: _Lookup, assignments: Mapping[int, int]
) -> None:
    students = {student.id: student for student in problem.students}
    for student_id, cohort_id in assignments.items():
        student = students.get(student_id)
        if student is None or cohort_id not in student.choices:
            msg = f"Student {student_id} is placed in cohort {cohort_id}, not on their list."
            raise ValueError(msg)
        if not lookup.acceptable(student, cohort_id):
            msg = f"Student {student_id} and cohort {cohort_id} are not acceptable to each other."
            raise ValueError(msg)
    cohort_count = Counter(assignments.values())
    for cohort_id, count in cohort_count.items():
        if count > lookup.cohorts[cohort_id].capacity:
            msg = f"Cohort {cohort_id} holds {count} students, over its capacity."
            raise ValueError(msg)
    lecturer_count = Counter(lookup.lecturer_of(cohort_id) for cohort_id in assignments.values())
    for lecturer_id, count in lecturer_count.items():
        if count > lookup.lecturers[lecturer_id].capacity:
            msg = f"Lecturer {lecturer_id} holds {count} students, over its capacity."
            raise ValueError(msg)
