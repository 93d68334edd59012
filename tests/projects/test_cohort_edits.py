"""Creating cohorts and changing their dates and sizes: the rules in the services."""

import re
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from outbox.models import Message
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, CohortLogEntry
from projects.services.cohorts import cohort_create, cohort_schedule_problems, cohort_update
from projects.services.errors import CohortError
from tests.projects.cohort_factories import cohort_in, organisation, project_of
from tests.projects.factories import CohortFactory, EnrolmentFactory, aware

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def new_cohort(project, **fields) -> Cohort:
    values = {
        "project": project,
        "starts_on": date(2027, 3, 1),
        "ends_on": date(2027, 4, 23),
        "registration_opens_at": aware(date(2027, 1, 11)),
        "registration_closes_at": aware(date(2027, 2, 15)),
    }
    return Cohort(**(values | fields))


def test_create_numbers_after_the_last_cohort_and_logs(coordinator):
    project = project_of(organisation())
    cohort_in(CohortState.COMPLETED, project=project, number=3)

    cohort = cohort_create(cohort=new_cohort(project), actor=coordinator)

    assert (cohort.number, cohort.state) == (4, CohortState.PLANNED)
    assert list(CohortLogEntry.objects.values_list("action", "to_state", "actor")) == [
        ("create", CohortState.PLANNED, coordinator.pk)
    ]


def test_create_refuses_a_number_the_project_has(coordinator):
    project = project_of(organisation())
    cohort_in(CohortState.PLANNED, project=project, number=1)

    with pytest.raises(CohortError, match=re.escape("This project already has a group 1.")):
        cohort_create(cohort=new_cohort(project, number=1), actor=coordinator)


def test_create_needs_a_coordinator(partner_member):
    with pytest.raises(CohortError, match=re.escape("Only coordinators can do this.")):
        cohort_create(cohort=new_cohort(project_of(organisation())), actor=partner_member)


@pytest.mark.parametrize("state", [CohortState.PLANNED, CohortState.OPEN])
def test_dates_and_sizes_change_while_planned_or_open(state, coordinator):
    cohort = cohort_in(state, max_size=5)
    starts = cohort.starts_on + timedelta(weeks=1)

    cohort_update(
        cohort_id=cohort.pk,
        actor=coordinator,
        changes={"starts_on": starts, "ends_on": starts + timedelta(weeks=6), "max_size": 6},
    )

    cohort.refresh_from_db()
    assert (cohort.starts_on, cohort.max_size) == (starts, 6)
    assert CohortLogEntry.objects.get().action == "edit"


@pytest.mark.parametrize(
    "state",
    [
        CohortState.CLOSED,
        CohortState.RUNNING,
        CohortState.HANDOVER,
        CohortState.COMPLETED,
        CohortState.CANCELLED,
    ],
)
def test_dates_and_sizes_are_fixed_once_registration_has_closed(state, coordinator):
    cohort = cohort_in(state, max_size=5)

    with pytest.raises(CohortError) as error:
        cohort_update(cohort_id=cohort.pk, actor=coordinator, changes={"max_size": 6})

    assert str(error.value) == "Dates and sizes can only change while a group is planned or open."
    assert Cohort.objects.get(pk=cohort.pk).max_size == 5
    assert CohortLogEntry.objects.count() == 0


def test_admission_changes_only_while_planned(coordinator):
    cohort = cohort_in(CohortState.OPEN)

    with pytest.raises(CohortError) as error:
        cohort_update(
            cohort_id=cohort.pk,
            actor=coordinator,
            changes={"admission_mode": AdmissionMode.APPLICATION},
        )

    assert str(error.value) == (
        "The number and the admission can only change while a group is planned."
    )


def test_nothing_changed_writes_nothing(coordinator):
    cohort = cohort_in(CohortState.RUNNING, max_size=5)

    cohort_update(cohort_id=cohort.pk, actor=coordinator, changes={"max_size": 5})

    assert CohortLogEntry.objects.count() == 0


def test_schedule_rules_in_words():
    start = date(2027, 3, 1)

    assert cohort_schedule_problems(
        starts_on=start,
        ends_on=start + timedelta(days=31),
        registration_opens_at=aware(date(2027, 2, 1)),
        registration_closes_at=aware(date(2027, 1, 1)),
        min_size=4,
        max_size=3,
    ) == {
        "ends_on": "A group runs 5 to 10 weeks: end between 2027-04-02 and 2027-05-10.",
        "registration_closes_at": "Registration must close after it opens.",
        "max_size": "The number of places cannot be below the minimum team size.",
    }
    assert (
        cohort_schedule_problems(
            starts_on=start,
            ends_on=start + timedelta(days=32),
            registration_opens_at=aware(date(2027, 1, 1)),
            registration_closes_at=aware(date(2027, 2, 1)),
            min_size=3,
            max_size=3,
        )
        == {}
    )


@pytest.mark.parametrize(("days", "fits"), [(31, False), (32, True), (70, True), (71, False)])
def test_the_database_agrees_on_five_to_ten_weeks(days, fits):
    start = date(2027, 3, 1)
    problems = cohort_schedule_problems(
        starts_on=start,
        ends_on=start + timedelta(days=days),
        registration_opens_at=None,
        registration_closes_at=None,
        min_size=None,
        max_size=None,
    )

    assert ("ends_on" not in problems) is fits
    if fits:
        CohortFactory(starts_on=start, ends_on=start + timedelta(days=days))
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            CohortFactory(starts_on=start, ends_on=start + timedelta(days=days))


def test_new_dates_are_mailed_to_everyone_in_or_waiting_once(coordinator):
    cohort = CohortFactory(max_size=1)
    member = EnrolmentFactory(cohort=cohort)
    waiting = EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED)
    EnrolmentFactory(cohort=cohort, state=EnrolmentState.WITHDRAWN)

    cohort_update(
        cohort_id=cohort.pk,
        actor=coordinator,
        changes={
            "starts_on": cohort.starts_on + timedelta(weeks=1),
            "ends_on": cohort.ends_on + timedelta(weeks=1),
        },
    )
    cohort_update(
        cohort_id=cohort.pk,
        actor=coordinator,
        changes={"registration_closes_at": cohort.registration_closes_at + timedelta(days=1)},
    )

    assert sorted(Message.objects.values_list("to_email", flat=True)) == sorted(
        [member.student.email, waiting.student.email]
    )
    assert Message.objects.filter(subject__startswith="Nieuwe datums voor").count() == 2
