"""Te doen: what waits for a partner member or a lecturer, each with a link to do it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.enums import JoinRequestStatus
from projects.enums import AdmissionMode, CohortState, DossierState, EnrolmentState, HoursState
from projects.models import HandoverDossier, HoursEntry, PartnerFeedback
from tests.partners.factories import AdminMembershipFactory, JoinRequestFactory, MembershipFactory
from tests.projects import reciprocity_scene as scene
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory
from tests.projects.reciprocity_scene import (
    TODAY,
    ended_cohort,
    in_english,
    organisation_of,
    running_cohort,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# The shared scene's fixtures; pytest finds them by these names.
partner_member = scene.partner_member
researcher = scene.researcher
project = scene.project


@pytest.fixture
def library(partner_member):
    """Paul administers the library."""
    return organisation_of(partner_member, "Bibliotheek Leiden", membership=AdminMembershipFactory)


@pytest.fixture
def elsewhere(other_partner_member):
    return organisation_of(other_partner_member, "Woonzorg", membership=AdminMembershipFactory)


@pytest.fixture
def their_project(elsewhere):
    return ProjectFactory(title="Wonen in Noord", challenge__organisation=elsewhere)


def _open_for_applications(project):
    return CohortFactory(project=project, admission_mode=AdmissionMode.APPLICATION)


def _hours(cohort, state=HoursState.SUBMITTED):
    return HoursEntry.objects.create(
        enrolment=EnrolmentFactory(cohort=cohort),
        worked_on=TODAY - timedelta(days=1),
        hours=Decimal(3),
        description="Interviews",
        state=state,
        decided_at=None if state == HoursState.SUBMITTED else timezone.now(),
    )


def _submitted_dossier(cohort, state=DossierState.SUBMITTED):
    return HandoverDossier.objects.create(
        cohort=cohort, state=state, submitted_at=timezone.now(), summary="Wat we deden"
    )


def _waiting(project, count=1):
    """`count` of each kind of item waiting for the project's partner and lecturer."""
    applications, hours, dossiers, feedback = [], [], [], []
    for _number in range(count):
        applications.append(
            EnrolmentFactory(
                cohort=_open_for_applications(project),
                state=EnrolmentState.APPLIED,
                motivation="Ik lees graag voor.",
            )
        )
        hours.append(_hours(running_cohort(project)))
        dossiers.append(_submitted_dossier(ended_cohort(project)))
        feedback.append(ended_cohort(project))
    return applications, hours, dossiers, feedback


def _todo(client):
    return client.get(reverse("projects:todo"))


def _listed(response) -> dict[str, list]:
    context = response.context
    return {
        "applications": [enrolment.pk for enrolment in context["applications"]],
        "join_requests": [join_request.pk for join_request in context["join_requests"]],
        "dossiers": [dossier.pk for dossier, _url in context["dossiers"]],
        "hours": [entry.pk for entry, _url in context["hours"]],
        "feedback": [(due.cohort.pk, due.organisation.pk) for due in context["feedback"]],
    }


def test_todo_lists_exactly_what_waits_for_the_partner(
    client, project, their_project, library, partner_member
):
    applications, hours, dossiers, ended = _waiting(project)
    asking = JoinRequestFactory(organisation=library)
    # None of these waits for Paul.
    _waiting(their_project)
    JoinRequestFactory(organisation=library, status=JoinRequestStatus.DECLINED)
    EnrolmentFactory(cohort=_open_for_applications(project), state=EnrolmentState.MEMBER)
    _hours(running_cohort(project), state=HoursState.CONFIRMED)
    _submitted_dossier(running_cohort(project), state=DossierState.DRAFT)
    given = ended_cohort(project)
    PartnerFeedback.objects.create(cohort=given, organisation=library, rating=4, went_well="Ja")
    ended_cohort(
        project,
        state=CohortState.COMPLETED,
        state_changed_at=timezone.now() - timedelta(days=45),
    )
    client.force_login(partner_member)

    response = _todo(client)

    # The groups with a dossier waiting have ended too, so they also wait for feedback.
    dossier_groups = [dossier.cohort for dossier in dossiers]
    assert _listed(response) == {
        "applications": [application.pk for application in applications],
        "join_requests": [asking.pk],
        "dossiers": [dossier.pk for dossier in dossiers],
        "hours": [entry.pk for entry in hours],
        "feedback": [
            (cohort.pk, library.pk)
            for cohort in sorted(dossier_groups + ended, key=lambda c: (c.ends_on, c.pk))
        ],
    }
    assert response.context["nothing"] is False


def test_todo_for_a_lecturer_holds_the_projects_decisions(client, project, researcher, library):
    applications, hours, dossiers, _ended_groups = _waiting(project)
    JoinRequestFactory(organisation=library)
    client.force_login(researcher)

    listed = _listed(_todo(client))

    assert listed == {
        "applications": [application.pk for application in applications],
        "join_requests": [],
        "dossiers": [dossier.pk for dossier in dossiers],
        "hours": [entry.pk for entry in hours],
        "feedback": [],
    }


def test_todo_join_requests_only_for_administrators(client, project, library):
    JoinRequestFactory(organisation=library)
    colleague = in_english(MembershipFactory(organisation=library).user)
    client.force_login(colleague)

    assert _listed(_todo(client))["join_requests"] == []


def test_todo_of_another_organisation_shows_none_of_this_project(
    client, project, elsewhere, other_partner_member
):
    _waiting(project)
    JoinRequestFactory(organisation=project.organisations.get())
    client.force_login(other_partner_member)

    response = _todo(client)

    assert _listed(response) == {
        "applications": [],
        "join_requests": [],
        "dossiers": [],
        "hours": [],
        "feedback": [],
    }
    assert response.context["nothing"] is True


def test_todo_links_lead_to_where_each_thing_is_done(client, project, library, partner_member):
    applications, hours, dossiers, ended = _waiting(project)
    JoinRequestFactory(organisation=library)
    client.force_login(partner_member)

    response = _todo(client)
    page = response.content.decode()

    assert reverse("projects:team", args=[applications[0].cohort_id]) in page
    assert reverse("partners:members", args=[library.slug]) in page
    assert reverse("projects:handover_decide", args=[dossiers[0].cohort_id]) in page
    assert reverse("projects:feedback", args=[ended[0].pk, library.pk]) in page
    ((_entry, hours_url),) = response.context["hours"]
    assert hours_url in page
    client.logout()
    link = client.get(hours_url)
    assert (link.status_code, link.context["entry"], link.context["decider"]) == (
        200,
        hours[0],
        partner_member,
    )


def test_todo_says_when_nothing_waits(client, project, partner_member):
    client.force_login(partner_member)

    page = _todo(client).content.decode()

    assert "Nothing is waiting for you. Well done!" in page


def test_todo_is_not_for_students_nor_anonymous(client, student):
    anonymous = _todo(client)
    client.force_login(student)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert _todo(client).status_code == 404


def test_todo_opens_for_a_coordinator(client, coordinator):
    client.force_login(coordinator)

    response = _todo(client)

    assert response.status_code == 200
    assert reverse("admin:index") in response.content.decode()


@pytest.mark.parametrize("count", [1, 6])
def test_todo_queries_do_not_grow_with_the_items(
    client, project, library, partner_member, count, django_assert_num_queries
):
    _waiting(project, count)
    for _number in range(count):
        JoinRequestFactory(organisation=library)
    client.force_login(partner_member)

    with django_assert_num_queries(9):
        response = _todo(client)

    assert len(response.context["hours"]) == count
    assert len(response.context["feedback"]) == 2 * count


def test_todo_is_linked_from_the_dashboard(client, partner_member, researcher):
    pages = []
    for person in (partner_member, researcher):
        client.force_login(person)
        pages.append(client.get(reverse("accounts:dashboard")).content.decode())

    assert all(f'href="{reverse("projects:todo")}"' in page for page in pages)
