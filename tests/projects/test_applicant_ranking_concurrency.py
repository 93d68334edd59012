"""A lecturer and a partner save the project's ranking of applicants at the same moment.

With the lock on the project the second save waits for the first and then replaces it: the
stored ranking is exactly one of the two. The control run switches the lock off and widens
the window between clearing the old ranking and writing the new one: both clear an empty
ranking, both write rank 1, and the second fails on the unique rank, which shows the lock is
what keeps the two saves apart.
"""

import threading
import urllib.error

import pytest
from django.urls import reverse

from projects.enums import AdmissionMode
from projects.models import ApplicantRank, CohortPreference
from tests.factories import PartnerMemberFactory, ResearcherFactory, StudentFactory
from tests.projects.factories import CohortFactory
from tests.support.live_requests import post_as, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contested():
    """A project in preference mode with three applicants, a lecturer and a partner member."""
    cohort = CohortFactory(admission_mode=AdmissionMode.PREFERENCE)
    project = cohort.project
    lecturer, partner = ResearcherFactory(), PartnerMemberFactory()
    project.lecturers.add(lecturer)
    project.organisations.first().memberships.create(user=partner)
    students = StudentFactory.create_batch(3)
    for student in students:
        CohortPreference.objects.create(student=student, cohort=cohort, rank=1)
    return project, (lecturer, partner), [student.pk for student in students]


def race(live_server, project, people, orders) -> list[int]:
    """Each person saves their own order at the same moment; the HTTP status of each."""
    path = reverse("projects:applicant_ranking", args=[project.slug])
    posts = [
        (
            session_cookie(person),
            {f"rank-{student_id}": str(i) for i, student_id in enumerate(order, start=1)},
        )
        for person, order in zip(people, orders, strict=True)
    ]
    barrier = threading.Barrier(len(posts))
    statuses = [0] * len(posts)

    def send(index, session, data):
        barrier.wait()
        try:
            statuses[index] = post_as(live_server.url, session, path, data).status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def _stored(project):
    return list(
        ApplicantRank.objects.filter(project=project)
        .order_by("rank")
        .values_list("student_id", "ranked_by_id")
    )


def test_two_saves_at_once_leave_one_whole_ranking(live_server, settings, contested):
    settings.RACE_WINDOW_SECONDS = 0.5
    project, people, ids = contested
    orders = [ids, ids[::-1]]

    statuses = race(live_server, project, people, orders)

    assert statuses == [200, 200]
    assert _stored(project) in [
        [(student_id, person.pk) for student_id in order]
        for person, order in zip(people, orders, strict=True)
    ]


def test_without_the_lock_the_second_save_fails(live_server, settings, contested):
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False
    project, people, ids = contested

    statuses = race(live_server, project, people, [ids, ids[::-1]])

    assert sorted(statuses) == [200, 500]
