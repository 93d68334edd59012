"""The cohort lifecycle job: dates move groups along, the platform plans the next group."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from lerenmetdestad.celery import app as celery_app
from outbox.models import Message
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, CohortLogEntry
from projects.services.lifecycle import cohorts_advance, next_start
from projects.tasks import cohorts_advance_task
from tests.factories import StudentFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory

pytestmark = pytest.mark.integration

S = CohortState


@pytest.fixture
def now():
    return timezone.now()


def states() -> dict[int, str]:
    return dict(Cohort.objects.values_list("number", "state"))


def test_planned_group_opens_when_its_window_opens_and_closes_when_it_ends(db, now):
    opening = CohortFactory(number=1, state=S.PLANNED)
    closing = CohortFactory(
        number=2,
        state=S.OPEN,
        registration_opens_at=now - timedelta(days=9),
        registration_closes_at=now - timedelta(minutes=1),
    )
    not_yet = CohortFactory(
        number=3,
        state=S.PLANNED,
        registration_opens_at=now + timedelta(days=1),
        registration_closes_at=now + timedelta(days=9),
    )

    report = cohorts_advance(now=now)

    assert states() == {1: S.OPEN, 2: S.CLOSED, 3: S.PLANNED}
    assert report.moved == {"open": [opening.pk], "close": [closing.pk]}
    assert list(
        CohortLogEntry.objects.filter(cohort__in=[opening, closing, not_yet])
        .order_by("cohort__number")
        .values_list("cohort__number", "action", "actor")
    ) == [(1, "open", None), (2, "close", None)]


def started(now, **fields):
    return CohortFactory(
        state=S.CLOSED,
        registration_opens_at=now - timedelta(days=20),
        registration_closes_at=now - timedelta(days=5),
        starts_on=timezone.localdate(now),
        ends_on=timezone.localdate(now) + timedelta(weeks=6),
        min_size=2,
        **fields,
    )


def test_group_starts_on_its_first_day_only_when_a_coordinator_need_not_decide(db, now):
    full = started(now, number=1)
    EnrolmentFactory.create_batch(2, cohort=full)
    too_small = started(now, number=2)
    EnrolmentFactory(cohort=too_small)
    not_allocated = started(now, number=3, admission_mode=AdmissionMode.PREFERENCE)

    report = cohorts_advance(now=now)

    assert states() == {1: S.RUNNING, 2: S.CLOSED, 3: S.CLOSED}
    assert sorted(report.waiting_for_coordinator) == sorted([too_small.pk, not_allocated.pk])


@pytest.fixture
def ended_group(db, now):
    organisation = OrganisationFactory(name="Buurthuis De Kooi")
    MembershipFactory(organisation=organisation, user__name="Petra", user__language="en")
    project = ProjectFactory(title="Buurtkamer", organisations=[organisation])
    today = timezone.localdate(now)
    cohort = CohortFactory(
        project=project,
        number=1,
        state=S.RUNNING,
        registration_opens_at=now - timedelta(days=80),
        registration_closes_at=now - timedelta(days=60),
        starts_on=today - timedelta(weeks=8, days=1),
        ends_on=today - timedelta(days=1),
        min_size=2,
        max_size=6,
    )
    EnrolmentFactory(cohort=cohort)
    waited = StudentFactory(name="Wim", language="en")
    EnrolmentFactory(cohort=cohort, student=waited, state=EnrolmentState.WAITLISTED)
    return cohort


def test_ended_group_hands_over_and_the_next_group_is_planned_once(ended_group, now):
    first = cohorts_advance(now=now)
    second = cohorts_advance(now=now + timedelta(minutes=5))

    following = Cohort.objects.get(number=2)
    today = timezone.localdate(now)
    assert states() == {1: S.HANDOVER, 2: S.OPEN}
    assert first.planned == [following.pk]
    assert second.planned == []
    assert following.starts_on == next_start(ended_group.ends_on)
    assert following.starts_on.weekday() == 0
    assert following.starts_on >= today + timedelta(weeks=3) - timedelta(days=1)
    assert following.ends_on - following.starts_on == ended_group.ends_on - ended_group.starts_on
    assert (following.min_size, following.max_size) == (2, 6)
    assert sorted(
        Message.objects.filter(subject="A new group of Buurtkamer is planned").values_list(
            "recipient__name", flat=True
        )
    ) == ["Petra", "Wim"]


def test_a_project_that_does_not_continue_gets_no_next_group(ended_group, now):
    ended_group.project.continues = False
    ended_group.project.save()

    cohorts_advance(now=now)

    assert states() == {1: S.HANDOVER}


def test_next_start_is_the_first_monday_three_weeks_on():
    assert next_start(date(2027, 3, 5)) == date(2027, 3, 29)
    assert next_start(date(2027, 3, 8)) == date(2027, 3, 29)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_hand_over_and_plan_each_group_once(now):
    today = timezone.localdate(now)
    for _ in range(5):
        CohortFactory(
            state=S.RUNNING,
            registration_opens_at=now - timedelta(days=80),
            registration_closes_at=now - timedelta(days=60),
            starts_on=today - timedelta(weeks=8, days=1),
            ends_on=today - timedelta(days=1),
        )
    barrier = threading.Barrier(2)
    reports = []

    def run():
        barrier.wait()
        try:
            reports.append(cohorts_advance(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(len(r.planned) for r in reports) == 5
    assert Cohort.objects.filter(state=S.HANDOVER).count() == 5
    assert Cohort.objects.filter(state=S.OPEN).count() == 5
    assert CohortLogEntry.objects.filter(action="hand_over").count() == 5


def test_group_beyond_its_partners_budget_waits_and_coordinators_are_told_once(
    db, now, coordinator
):
    organisation = OrganisationFactory(team_budget=1)
    busy = ProjectFactory(organisations=[organisation])
    CohortFactory(project=busy, number=1, state=S.RUNNING)
    waiting = CohortFactory(project=busy, number=2, state=S.PLANNED)

    first = cohorts_advance(now=now)
    cohorts_advance(now=now + timedelta(hours=1))

    assert Cohort.objects.get(pk=waiting.pk).state == S.PLANNED
    assert first.waiting_for_coordinator == [waiting.pk]
    assert Message.objects.filter(recipient=coordinator).count() == 1


def test_beat_runs_the_lifecycle_job_every_hour():
    entry = celery_app.conf.beat_schedule["projects-cohorts-advance"]

    assert entry["task"] == cohorts_advance_task.name == "projects.cohorts_advance"
    assert entry["schedule"] == 3600.0
