import re
from datetime import timedelta

import pytest
from django.utils import translation

from outbox.models import Message
from partners.enums import CslLevel
from projects.enums import CohortState
from projects.enums import EnrolmentState as E
from projects.models import Cohort, CohortLogEntry, Enrolment
from projects.services.errors import CohortError
from projects.services.merge import cohort_merge
from tests.factories import PartnerMemberFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def small_and_other():
    small = CohortFactory(state=CohortState.CLOSED, min_size=4, max_size=6)
    other = CohortFactory(project=small.project, max_size=3)
    return small, other


def test_merge_fills_free_places_then_the_waitlist_in_order(coordinator, small_and_other):
    small, other = small_and_other
    EnrolmentFactory(cohort=other)
    first, second, third = (EnrolmentFactory(cohort=small) for _ in range(3))

    cohort_merge(source_id=small.pk, target_id=other.pk, actor=coordinator)

    states = {
        e.pk: (e.cohort_id, e.state)
        for e in Enrolment.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert states == {
        first.pk: (other.pk, E.MEMBER),
        second.pk: (other.pk, E.MEMBER),
        third.pk: (other.pk, E.WAITLISTED),
    }
    assert Cohort.objects.get(pk=small.pk).state == CohortState.CANCELLED
    assert list(
        CohortLogEntry.objects.filter(action__in=["merge", "merge_in"]).values_list(
            "cohort_id", "action"
        )
    ) == [
        (small.pk, "merge"),
        (other.pk, "merge_in"),
    ]
    assert sorted(Message.objects.values_list("to_email", flat=True)) == sorted(
        e.student.email for e in (first, second, third)
    )


def test_merge_keeps_a_student_out_of_two_intensive_projects(coordinator):
    other = CohortFactory(project__csl_level=CslLevel.INTENSIVE)
    later = other.starts_on + timedelta(weeks=12)
    small = CohortFactory(
        project=other.project,
        state=CohortState.CLOSED,
        starts_on=later,
        ends_on=later + timedelta(weeks=8),
    )
    busy = EnrolmentFactory(cohort=small)
    elsewhere = CohortFactory(project__csl_level=CslLevel.INTENSIVE, starts_on=other.starts_on)
    EnrolmentFactory(cohort=elsewhere, student=busy.student)

    cohort_merge(source_id=small.pk, target_id=other.pk, actor=coordinator)

    assert Enrolment.objects.get(pk=busy.pk).cohort_id == small.pk
    assert Message.objects.filter(to_email=busy.student.email).count() == 1


def test_merge_reuses_a_row_the_student_already_has_in_the_target(coordinator, small_and_other):
    small, other = small_and_other
    moving = EnrolmentFactory(cohort=small)
    EnrolmentFactory(cohort=other, student=moving.student, state=E.WITHDRAWN)

    cohort_merge(source_id=small.pk, target_id=other.pk, actor=coordinator)

    assert list(
        Enrolment.objects.filter(student=moving.student)
        .order_by("cohort_id")
        .values_list("cohort_id", "state")
    ) == [
        (small.pk, E.WITHDRAWN),
        (other.pk, E.MEMBER),
    ]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("same", "Choose another group to merge with."),
        ("other_project", "Groups can only be merged within the same project."),
        ("running", "Only groups whose registration is open or just closed can be merged."),
    ],
)
def test_merge_refusals(coordinator, small_and_other, setup, message):
    small, _other = small_and_other
    target = {
        "same": small,
        "other_project": CohortFactory(),
        "running": CohortFactory(project=small.project, state=CohortState.RUNNING),
    }[setup]

    with pytest.raises(CohortError, match=re.escape(message)):
        cohort_merge(source_id=small.pk, target_id=target.pk, actor=coordinator)
    assert Cohort.objects.get(pk=small.pk).state == CohortState.CLOSED


def test_only_coordinators_merge(small_and_other):
    small, other = small_and_other
    assert other.project_id == small.project_id

    with pytest.raises(CohortError, match=re.escape("Only coordinators can do this.")):
        cohort_merge(source_id=small.pk, target_id=other.pk, actor=PartnerMemberFactory())


def test_merge_action_in_the_admin(client, coordinator, small_and_other):
    small, other = small_and_other
    EnrolmentFactory(cohort=small)
    sign_in_for_admin(client, coordinator)
    url = "/beheer/projects/cohort/"

    page = client.post(url, {"action": "merge_cohorts", "_selected_action": [small.pk]})
    assert [c.pk for c in page.context["targets"]] == [other.pk]
    client.post(
        url,
        {
            "action": "merge_cohorts",
            "_selected_action": [small.pk],
            "apply": "1",
            "target": other.pk,
        },
    )

    assert Cohort.objects.get(pk=small.pk).state == CohortState.CANCELLED
    assert Enrolment.objects.get().cohort_id == other.pk
