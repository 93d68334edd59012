"""Making projects from challenges (the service and the admin) and the projects changelist."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from outbox.models import Message
from partners.enums import ChallengeAction, ChallengeState, CslLevel
from partners.models import Challenge, ChallengeLogEntry
from projects.enums import CohortState, LocationKind
from projects.models import Cohort, CohortLogEntry, Project
from projects.services.projects import (
    ProjectError,
    project_create_from_challenge,
    project_prefill,
)
from tests.factories import PartnerMemberFactory, ThemeFactory
from tests.partners.challenge_setup import (
    challenge_in,
    neighbourhood,
    organisation_with_member,
    speaks_english,
)
from tests.projects.cohort_factories import admin_form_data, cohort_in, organisation, project_of
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PROJECTS = "/beheer/projects/project/"
ADD = f"{PROJECTS}add/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


@pytest.fixture
def library(partner_member):
    return organisation_with_member(partner_member, budget=5)


def accepted(library, **fields):
    values = {
        "desired_level": CslLevel.MEDIUM,
        "hours_per_week": 6,
        "background": "De bibliotheek ziet veel ouderen alleen komen.",
        "place": "Op Locatie, Leiden-Noord",
        "neighbourhood": neighbourhood("De Kooi"),
    }
    return challenge_in(ChallengeState.ACCEPTED, library, **(values | fields))


# --- The service ------------------------------------------------------------------------------


def test_prefill_takes_over_what_the_challenge_says(library):
    challenge = accepted(library, question="Hoe zien ouderen\n elkaar vaker?  ")
    challenge.neighbourhoods.add(neighbourhood("Tuinstadwijk"))

    values = project_prefill(challenge)

    assert values == {
        "title": "Ouderen ontmoeten elkaar",
        "summary": "Hoe zien ouderen elkaar vaker?",
        "description": "De bibliotheek ziet veel ouderen alleen komen.",
        "themes": list(challenge.themes.all()),
        "neighbourhood": challenge.neighbourhoods.get(slug="de-kooi"),
        "organisations": [library],
        "institution_kinds": ["mbo", "hbo", "wo"],
        "csl_level": CslLevel.MEDIUM,
        "hours_per_week": 6,
        "location_kind": LocationKind.OP_LOCATIE,
    }


def test_prefill_keeps_a_partners_own_place_and_shortens_a_long_question(library):
    challenge = accepted(library, place="Stadhuisplein 1", question="Waarom " * 100)

    values = project_prefill(challenge)

    assert (values["location_kind"], values["location"]) == (
        LocationKind.PARTNER,
        "Stadhuisplein 1",
    )
    assert len(values["summary"]) == 300
    assert values["summary"].endswith("…")


def test_create_from_an_accepted_challenge_moves_it_to_in_progress(
    library, coordinator, partner_member
):
    challenge = accepted(library)

    project = project_create_from_challenge(challenge=challenge, actor=coordinator, weekdays=[2])

    project.refresh_from_db()
    assert (project.title, project.slug, project.challenge_id) == (
        "Ouderen ontmoeten elkaar",
        "ouderen-ontmoeten-elkaar",
        challenge.pk,
    )
    assert (project.csl_level, project.hours_per_week, project.neighbourhood.slug) == (
        CslLevel.MEDIUM,
        6,
        "de-kooi",
    )
    assert list(project.themes.values_list("slug", flat=True)) == ["eenzaamheid"]
    assert list(project.organisations.all()) == [library]
    challenge.refresh_from_db()
    assert challenge.state == ChallengeState.IN_PROGRESS
    assert list(
        ChallengeLogEntry.objects.values_list("action", "from_state", "to_state", "actor")
    ) == [
        (ChallengeAction.START, ChallengeState.ACCEPTED, ChallengeState.IN_PROGRESS, coordinator.pk)
    ]
    # The organisation hears that work has started, through the challenge workflow.
    assert list(Message.objects.values_list("to_email", flat=True)) == [partner_member.email]


def test_create_from_a_challenge_in_progress_adds_another_project(library, coordinator):
    challenge = challenge_in(
        ChallengeState.IN_PROGRESS, library, desired_level=CslLevel.LOW, hours_per_week=4
    )

    first = project_create_from_challenge(challenge=challenge, actor=coordinator, weekdays=[3])
    second = project_create_from_challenge(
        challenge=challenge, actor=coordinator, csl_level=CslLevel.INTENSIVE, weekdays=[3]
    )

    assert [first.slug, second.slug] == ["ouderen-ontmoeten-elkaar", "ouderen-ontmoeten-elkaar-2"]
    assert Project.objects.get(pk=second.pk).csl_level == CslLevel.INTENSIVE
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.IN_PROGRESS
    assert ChallengeLogEntry.objects.count() == 0


def test_given_fields_win_over_the_challenge(library, coordinator, researcher):
    challenge = accepted(library)
    armoede = ThemeFactory(slug="armoede", name="Armoede")

    project = project_create_from_challenge(
        challenge=challenge,
        actor=coordinator,
        title="Ontmoeten in De Kooi",
        themes=[armoede],
        lecturers=[researcher],
        weekdays=[2, 4],
        institution_kinds=["hbo"],
    )

    project.refresh_from_db()
    assert (project.title, project.slug, project.weekdays, project.institution_kinds) == (
        "Ontmoeten in De Kooi",
        "ontmoeten-in-de-kooi",
        [2, 4],
        ["hbo"],
    )
    assert list(project.themes.all()) == [armoede]
    assert list(project.lecturers.all()) == [researcher]


@pytest.mark.parametrize(
    "state",
    [
        ChallengeState.DRAFT,
        ChallengeState.SUBMITTED,
        ChallengeState.IN_REVIEW,
        ChallengeState.NEEDS_INFO,
        ChallengeState.DECLINED,
        ChallengeState.CLOSED,
    ],
)
def test_create_is_refused_from_other_states(state, library, coordinator):
    challenge = challenge_in(state, library, desired_level=CslLevel.LOW, hours_per_week=4)

    with pytest.raises(ProjectError) as error:
        project_create_from_challenge(challenge=challenge, actor=coordinator)

    assert str(error.value) == (
        "A project can only be made from an accepted challenge. "
        f"This challenge is {challenge.get_state_display()}."
    )
    assert Project.objects.count() == 0
    assert Challenge.objects.get(pk=challenge.pk).state == state


def test_create_needs_a_coordinator(library, partner_member):
    with pytest.raises(ProjectError, match=re.escape("Only coordinators can do this.")):
        project_create_from_challenge(challenge=accepted(library), actor=partner_member)

    assert Project.objects.count() == 0


def test_create_says_what_is_missing_and_changes_nothing(library, coordinator):
    challenge = accepted(library, desired_level="", hours_per_week=None)

    with pytest.raises(ProjectError) as error:
        project_create_from_challenge(challenge=challenge, actor=coordinator)

    assert str(error.value) == (
        "CSL level: This field cannot be blank. Days: This field cannot be blank. "
        "Hours per week: This field cannot be null."
    )
    assert Project.objects.count() == 0
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.ACCEPTED


# --- The admin: making a project --------------------------------------------------------------


def test_add_page_lists_the_accepted_challenges_waiting_for_a_project(client, coordinator, library):
    waiting = accepted(library)
    challenge_in(ChallengeState.IN_REVIEW, library, title="Nog in beoordeling")
    sign_in_for_admin(client, coordinator)

    page = client.get(ADD).content.decode()

    assert f'href="?challenge={waiting.pk}"' in page
    assert "Make a project from “Ouderen ontmoeten elkaar” (Bibliotheek Leiden-Noord)" in page
    assert "Nog in beoordeling" not in page


def test_add_page_with_a_challenge_is_filled_in_and_saving_makes_the_project(
    client, coordinator, library
):
    challenge = accepted(library)
    sign_in_for_admin(client, coordinator)

    page = client.get(ADD, {"challenge": challenge.pk})
    form = page.context["adminform"].form
    assert (form["title"].value(), form["summary"].value(), form["csl_level"].value()) == (
        "Ouderen ontmoeten elkaar",
        challenge.question,
        "medium",
    )
    data = admin_form_data(page.content.decode(), "project_form")
    data["title"] = ["Ontmoeten in De Kooi"]
    data["weekdays"] = ["2", "4"]
    # "Save and continue editing", to add the first cohort next.
    del data["_save"]
    data["_continue"] = ["1"]
    saved = client.post(f"{ADD}?challenge={challenge.pk}", data)

    assert saved.status_code == 302
    project = Project.objects.get()
    assert (
        project.title,
        project.slug,
        project.challenge_id,
        project.hours_per_week,
        project.weekdays,
    ) == ("Ontmoeten in De Kooi", "ontmoeten-in-de-kooi", challenge.pk, 6, [2, 4])
    assert saved.url.startswith(f"{PROJECTS}{project.pk}/change/")
    assert list(project.organisations.all()) == [library]
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.IN_PROGRESS


def test_add_page_with_a_challenge_that_is_not_accepted_warns(client, coordinator, library):
    declined = challenge_in(ChallengeState.DECLINED, library)
    sign_in_for_admin(client, coordinator)

    page = client.get(ADD, {"challenge": declined.pk}, follow=True)

    assert [str(m) for m in page.context["messages"]] == [
        "This challenge cannot become a project: it is not accepted."
    ]
    assert page.context["adminform"].form["title"].value() is None


def test_staff_who_are_not_coordinators_cannot_make_projects(client, library):
    staff = PartnerMemberFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_project", "add_project", "change_project"])
    )
    challenge = accepted(library)
    sign_in_for_admin(client, staff)

    response = client.get(ADD, {"challenge": challenge.pk})

    assert response.status_code == 403
    assert Project.objects.count() == 0


# --- The admin: cohorts inline ----------------------------------------------------------------


def test_inline_adds_a_planned_cohort_with_the_next_number(client, coordinator):
    project = project_of(organisation())
    cohort_in(CohortState.COMPLETED, project=project, number=1)
    sign_in_for_admin(client, coordinator)
    page = client.get(f"{PROJECTS}{project.pk}/change/")
    data = admin_form_data(page.content.decode(), "project_form")
    data |= {
        "cohorts-TOTAL_FORMS": ["2"],
        "cohorts-1-project": [str(project.pk)],
        "cohorts-1-number": [""],
        "cohorts-1-starts_on": ["2027-03-01"],
        "cohorts-1-ends_on": ["2027-04-23"],
        "cohorts-1-registration_opens_at_0": ["2027-01-11"],
        "cohorts-1-registration_opens_at_1": ["09:00"],
        "cohorts-1-registration_closes_at_0": ["2027-02-15"],
        "cohorts-1-registration_closes_at_1": ["17:00"],
        "cohorts-1-min_size": ["3"],
        "cohorts-1-max_size": ["8"],
        "cohorts-1-admission_mode": ["first_come"],
    }

    response = client.post(f"{PROJECTS}{project.pk}/change/", data)

    assert response.status_code == 302
    added = Cohort.objects.get(project=project, number=2)
    assert (added.state, added.max_size) == (CohortState.PLANNED, 8)
    assert list(CohortLogEntry.objects.values_list("cohort", "action", "actor")) == [
        (added.pk, "create", coordinator.pk)
    ]


def test_inline_refuses_new_dates_for_a_running_cohort(client, coordinator):
    project = project_of(organisation())
    running = cohort_in(CohortState.RUNNING, project=project)
    sign_in_for_admin(client, coordinator)
    page = client.get(f"{PROJECTS}{project.pk}/change/")
    data = admin_form_data(page.content.decode(), "project_form")
    data["cohorts-0-max_size"] = ["9"]

    response = client.post(f"{PROJECTS}{project.pk}/change/", data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[0].non_field_errors()
    assert list(errors) == ["Dates and sizes can only change while a group is planned or open."]
    assert Cohort.objects.get(pk=running.pk).max_size == 5


def test_inline_refuses_a_cohort_shorter_than_five_weeks(client, coordinator):
    project = project_of(organisation())
    planned = cohort_in(CohortState.PLANNED, project=project)
    sign_in_for_admin(client, coordinator)
    page = client.get(f"{PROJECTS}{project.pk}/change/")
    data = admin_form_data(page.content.decode(), "project_form")
    data["cohorts-0-ends_on"] = [(planned.starts_on.replace(day=1)).isoformat()]
    data["cohorts-0-starts_on"] = [planned.starts_on.replace(day=1).isoformat()]

    response = client.post(f"{PROJECTS}{project.pk}/change/", data)

    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert form.errors["ends_on"][0].startswith("A group runs 5 to 10 weeks: end between ")
    assert Cohort.objects.get(pk=planned.pk).ends_on == planned.ends_on


# --- The changelist ---------------------------------------------------------------------------


def make_projects(count: int) -> None:
    hood = neighbourhood("De Kooi")
    for _ in range(count):
        host = organisation()
        project = project_of(host, neighbourhood=hood)
        project.themes.add(ThemeFactory(slug="vergrijzing", name="Vergrijzing"))
        project.organisations.add(organisation())
        cohort_in(CohortState.OPEN, project=project)
        cohort_in(CohortState.PLANNED, project=project)


def changelist_queries(client, url=PROJECTS) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_projects_changelist_runs_the_same_queries_for_1_and_30_projects(client, coordinator):
    sign_in_for_admin(client, coordinator)
    make_projects(1)
    one = changelist_queries(client)
    make_projects(29)
    thirty = changelist_queries(client)

    assert one == thirty


def test_projects_changelist_filters_by_level_theme_neighbourhood_and_partner(client, coordinator):
    sign_in_for_admin(client, coordinator)
    kooi = neighbourhood("De Kooi")
    host = organisation(name="Bibliotheek")
    wanted = project_of(host, neighbourhood=kooi, title="Gezocht", csl_level=CslLevel.LOW)
    project_of(host, neighbourhood=kooi, title="Ander niveau", csl_level=CslLevel.MEDIUM)
    project_of(organisation(), neighbourhood=kooi, title="Andere partner", csl_level=CslLevel.LOW)
    project_of(host, title="Geen wijk", csl_level=CslLevel.LOW)

    response = client.get(
        PROJECTS,
        {
            "csl_level__exact": "low",
            "themes__id__exact": wanted.themes.get().pk,
            "neighbourhood__id__exact": kooi.pk,
            "organisations__id__exact": host.pk,
        },
    )

    assert [p.title for p in response.context["cl"].result_list] == ["Gezocht"]
