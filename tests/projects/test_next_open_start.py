"""Project.next_open_start, the discovery order: every service that creates a cohort or
changes its state or dates leaves it equal to a fresh computation.

No CheckConstraint can compare a project with its cohorts, so these tests stand in for one.
The factories write cohorts directly, so each test first brings the column up to date, then
drives one service and compares.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from projects.enums import CohortState as S
from projects.models import Cohort, Project
from projects.services.cohorts import CohortAction as A
from projects.services.cohorts import cohort_create, cohort_transition, cohort_update
from projects.services.merge import cohort_merge
from projects.services.next_open import projects_next_open_refresh_all, soonest_open_start
from tests.projects.factories import CohortFactory, ProjectFactory, _monday_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TRANSITIONS = [
    (A.OPEN, S.PLANNED),
    (A.CLOSE, S.OPEN),
    (A.START, S.CLOSED),
    (A.HAND_OVER, S.RUNNING),
    (A.COMPLETE, S.HANDOVER),
    (A.CANCEL, S.PLANNED),
    (A.CANCEL, S.OPEN),
    (A.CANCEL, S.CLOSED),
    (A.CANCEL, S.RUNNING),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def stale() -> list[tuple[str, object, object]]:
    """Projects whose stored column differs from a fresh computation: (title, stored, fresh)."""
    return [
        (p.title, p.next_open_start, p.fresh)
        for p in Project.objects.annotate(fresh=soonest_open_start()).order_by("pk")
        if p.next_open_start != p.fresh
    ]


def stored(project: Project):
    return Project.objects.values_list("next_open_start", flat=True).get(pk=project.pk)


@pytest.fixture
def project_with_a_later_open_group():
    """A project whose open group starts in six weeks, and a neighbour it must not touch."""
    project = ProjectFactory(title="Buurtmoestuin")
    later = CohortFactory(project=project, starts_on=_monday_in(6))
    neighbour = ProjectFactory(title="Taalcafé")
    CohortFactory(project=neighbour, starts_on=_monday_in(1))
    projects_next_open_refresh_all()
    return project, later


@pytest.mark.parametrize(("action", "source"), TRANSITIONS)
def test_transition_keeps_next_open_start(
    action, source, coordinator, project_with_a_later_open_group
):
    project, later = project_with_a_later_open_group
    sooner = CohortFactory(project=project, state=source, starts_on=_monday_in(2))
    projects_next_open_refresh_all()

    cohort_transition(cohort_id=sooner.pk, action=action, actor=coordinator, message="Sorry")

    sooner.refresh_from_db()
    expected = sooner.starts_on if sooner.state == S.OPEN else later.starts_on
    assert stored(project) == expected
    assert stale() == []


def test_closing_the_last_open_group_leaves_no_next_start(coordinator):
    cohort = CohortFactory(project__title="Buurtmoestuin")
    projects_next_open_refresh_all()

    cohort_transition(cohort_id=cohort.pk, action=A.CLOSE, actor=coordinator)

    assert stored(cohort.project) is None
    assert stale() == []


def test_create_keeps_next_open_start(coordinator, project_with_a_later_open_group):
    project, later = project_with_a_later_open_group
    template = CohortFactory.build(project=project, starts_on=_monday_in(1))

    cohort_create(cohort=template, actor=coordinator)

    # A new group is planned: the next open group is still the later one.
    assert stored(project) == later.starts_on
    assert stale() == []


@pytest.mark.parametrize("weeks", [1, 9])
def test_update_of_an_open_groups_start_moves_next_open_start(
    weeks, coordinator, project_with_a_later_open_group
):
    project, later = project_with_a_later_open_group
    other = CohortFactory(project=project, starts_on=_monday_in(4))
    projects_next_open_refresh_all()
    start = _monday_in(weeks)

    cohort_update(
        cohort_id=other.pk,
        actor=coordinator,
        changes={"starts_on": start, "ends_on": start + timedelta(weeks=8)},
    )

    assert stored(project) == min(start, later.starts_on)
    assert stale() == []


def test_update_of_a_planned_groups_start_keeps_next_open_start(
    coordinator, project_with_a_later_open_group
):
    project, later = project_with_a_later_open_group
    planned = CohortFactory(project=project, state=S.PLANNED, starts_on=_monday_in(4))
    projects_next_open_refresh_all()
    start = _monday_in(1)

    cohort_update(
        cohort_id=planned.pk,
        actor=coordinator,
        changes={"starts_on": start, "ends_on": start + timedelta(weeks=8)},
    )

    assert stored(project) == later.starts_on
    assert stale() == []


def test_merge_of_the_sooner_open_group_moves_next_open_start(
    coordinator, project_with_a_later_open_group
):
    project, later = project_with_a_later_open_group
    sooner = CohortFactory(project=project, starts_on=_monday_in(2))
    projects_next_open_refresh_all()

    cohort_merge(source_id=sooner.pk, target_id=later.pk, actor=coordinator)

    assert Cohort.objects.get(pk=sooner.pk).state == S.CANCELLED
    assert stored(project) == later.starts_on
    assert stale() == []


def test_discovery_order_follows_an_opening_without_a_refresh(client, coordinator):
    client.cookies["lms_language"] = "en"
    CohortFactory(project__title="Aa over vijf weken", starts_on=_monday_in(5))
    planned = CohortFactory(
        project__title="Zz over een week", state=S.PLANNED, starts_on=_monday_in(1)
    )
    projects_next_open_refresh_all()

    cohort_transition(cohort_id=planned.pk, action=A.OPEN, actor=coordinator)

    page = client.get(reverse("projects:list")).text
    assert page.index("Zz over een week") < page.index("Aa over vijf weken")
