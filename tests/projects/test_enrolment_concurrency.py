"""Many students click "join" at the same moment; the cohort never goes over its places.

Each test sends simultaneous requests to the live server. The control tests switch the
row locks off and widen the window between counting and inserting, to show that the race
is real and that the lock is what prevents it.
"""

from datetime import timedelta

import pytest
from django.db.models import Max, Min

from partners.enums import CslLevel
from projects.enums import EnrolmentState as E
from projects.models import Enrolment
from projects.services.enrolment import waitlist_position
from tests.factories import StudentFactory
from tests.projects.factories import CohortFactory
from tests.support.live_requests import post_all_at_once, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

STUDENTS = 30
PLACES = 5


def join_all(live_server, cohort, students):
    path = f"/projecten/groep/{cohort.pk}/aanmelden/"
    return post_all_at_once(live_server.url, [(session_cookie(s), path, {}) for s in students])


def test_thirty_joins_at_once_fill_five_places_and_queue_the_rest(live_server, settings):
    settings.RACE_WINDOW_SECONDS = 0.05
    cohort = CohortFactory(max_size=PLACES)
    students = StudentFactory.create_batch(STUDENTS)

    answers = join_all(live_server, cohort, students)

    assert {a.final_url for a in answers} == {f"{live_server.url}/mijn/projecten/"}
    enrolments = Enrolment.objects.filter(cohort=cohort)
    assert enrolments.filter(state=E.MEMBER).count() == PLACES
    assert enrolments.filter(state=E.WAITLISTED).count() == STUDENTS - PLACES
    # Places went to the first served, the queue follows in the order joins were served.
    last_member = enrolments.filter(state=E.MEMBER).aggregate(t=Max("queued_at"))["t"]
    first_waiting = enrolments.filter(state=E.WAITLISTED).aggregate(t=Min("queued_at"))["t"]
    assert last_member < first_waiting
    waiting = enrolments.filter(state=E.WAITLISTED).order_by("queued_at", "pk")
    assert [waitlist_position(e) for e in waiting] == list(range(1, STUDENTS - PLACES + 1))


def test_without_the_lock_the_cohort_overflows(live_server, settings):
    settings.ROW_LOCKS_ENABLED = False
    settings.RACE_WINDOW_SECONDS = 0.3
    cohort = CohortFactory(max_size=PLACES)

    join_all(live_server, cohort, StudentFactory.create_batch(STUDENTS))

    assert Enrolment.objects.filter(cohort=cohort, state=E.MEMBER).count() > PLACES


def overlapping_intensive_pair():
    first = CohortFactory(project__csl_level=CslLevel.INTENSIVE)
    second = CohortFactory(
        project__csl_level=CslLevel.INTENSIVE, starts_on=first.starts_on + timedelta(weeks=1)
    )
    return first, second


def join_both(live_server, student, cohorts):
    session = session_cookie(student)
    return post_all_at_once(
        live_server.url, [(session, f"/projecten/groep/{c.pk}/aanmelden/", {}) for c in cohorts]
    )


def test_one_student_joining_two_overlapping_intensive_cohorts_at_once_gets_one(
    live_server, settings
):
    settings.RACE_WINDOW_SECONDS = 0.3
    student = StudentFactory()
    cohorts = overlapping_intensive_pair()

    join_both(live_server, student, cohorts)

    assert Enrolment.objects.filter(student=student, state=E.MEMBER).count() == 1


def test_without_the_lock_the_student_gets_both_intensive_cohorts(live_server, settings):
    settings.ROW_LOCKS_ENABLED = False
    # The overlap check reads before the pause; both requests pass it before either writes.
    settings.RACE_WINDOW_SECONDS = 0.3
    student = StudentFactory()
    cohorts = overlapping_intensive_pair()

    join_both(live_server, student, cohorts)

    assert Enrolment.objects.filter(student=student, state=E.MEMBER).count() == 2
