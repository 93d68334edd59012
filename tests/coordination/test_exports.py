"""The coordinators' exports: exactly the columns and rows the test's own data implies, in CSV
and in Excel, from the dashboard's links and from the admin's actions; a fixed number of
queries however many rows; nobody but coordinators gets a file; no secret ever leaves."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils import timezone, translation

from coordination.exports.base import ExportFilters
from coordination.exports.services import ExportRefusedError, export_rows
from events.enums import RegistrationState, RoleAtEvent
from events.models import CalendarFeed
from partners.enums import ChallengeState, CslLevel
from partners.models import ChallengeMessage
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import HoursEntry
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    InstitutionFactory,
    NeighbourhoodFactory,
    PartnerMemberFactory,
    ResearcherFactory,
    StudentFactory,
    ThemeFactory,
)
from tests.partners.factories import OrganisationFactory
from tests.projects.cohort_factories import AcademicPeriodFactory
from tests.projects.factories import (
    ChallengeFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
    aware,
)
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

KINDS = ["vraagstukken", "projecten", "groepen", "aanmeldingen", "uren"]
FORMATS = ["csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS = {
    "vraagstukken": [
        "ID",
        "Title",
        "Partner organisation",
        "State",
        "Themes",
        "Neighbourhoods",
        "Question",
        "CSL level",
        "Residents involved",
        "Resident contact moments per month",
        "Start from",
        "Finish by",
        "Submitted on",
        "State changed on",
        "Projects",
        "May be shown publicly",
    ],
    "projecten": [
        "ID",
        "Title",
        "Challenge",
        "Partner organisations",
        "Themes",
        "Neighbourhood",
        "Where",
        "CSL level",
        "For students of",
        "Language",
        "Hours per week",
        "Groups",
        "Students who took part",
        "Created on",
    ],
    "groepen": [
        "Project",
        "Group",
        "State of the group",
        "Academic period",
        "Starts",
        "Ends",
        "Admission",
        "Places",
        "Name",
        "Email",
        "Institution",
        "Programme",
        "State",
        "Place on the waiting list",
        "VOG confirmed by student",
        "VOG checked on",
    ],
    "aanmeldingen": [
        "Meet & Match",
        "Date",
        "Name",
        "Email",
        "Comes as",
        "Brings",
        "Looking for",
        "Themes",
        "State",
        "On the list",
        "Checked in",
    ],
    "uren": [
        "Student",
        "Institution",
        "Project",
        "Group",
        "Date",
        "Hours",
        "What was done",
        "State",
        "Decided by",
        "Decided on",
        "Why disputed",
    ],
}

# What must never leave the platform in an export, whatever the export.
SECRETS = [
    "Bea Bewoner",
    "06-12345678",
    "bea@bewoners.example.org",
    "contact@buurthuis.example.org",
    "071-5160000",
    "Alleen voor coördinatoren",
    "Te commercieel bedoeld",
    "K1X9Q2",
]


@dataclass
class Scene:
    challenge: object
    project: object
    cohort: object
    empty_cohort: object
    registration: object
    hours: object
    lecturer: object


@pytest.fixture
def scene(db) -> Scene:
    """One of everything, with fixed dates: a running group with a member and someone
    waiting, an empty planned group, a Meet & Match registration and confirmed hours."""
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    kooi = NeighbourhoodFactory(slug="de-kooi", name="De Kooi")
    challenge = ChallengeFactory(
        organisation=OrganisationFactory(name="Buurthuis De Kooi", team_budget=10),
        title="Samen eten",
        question="Hoe zorgen we dat ouderen vaker samen eten?",
        contact_name="Paul Bakker",
        contact_email="contact@buurthuis.example.org",
        contact_phone="071-5160000",
        resident_name="Bea Bewoner",
        resident_phone="06-12345678",
        resident_email="bea@bewoners.example.org",
        desired_level=CslLevel.MEDIUM,
        resident_contacts_per_month=4,
        desired_start=date(2026, 9, 1),
        desired_end=date(2026, 12, 18),
        created_at=aware(date(2026, 5, 1)),
        submitted_at=aware(date(2026, 5, 4)),
        state_changed_at=aware(date(2026, 5, 20)),
        decision_reason="Te commercieel bedoeld",
        is_public=True,
    )
    challenge.themes.set([loneliness])
    challenge.neighbourhoods.set([kooi])
    ChallengeMessage.objects.create(
        challenge=challenge, body="Alleen voor coördinatoren", is_internal=True
    )
    project = ProjectFactory(
        challenge=challenge,
        title="Taalcafé",
        themes=[loneliness],
        neighbourhood=kooi,
        institution_kinds=["mbo", "hbo"],
        hours_per_week=6,
        created_at=aware(date(2026, 6, 1)),
    )
    autumn = AcademicPeriodFactory(
        name="Najaar 2026", starts_on=date(2026, 9, 1), ends_on=date(2027, 1, 31)
    )
    cohort = CohortFactory(
        project=project,
        number=1,
        period=autumn,
        starts_on=date(2026, 9, 7),
        ends_on=date(2026, 11, 2),
        max_size=5,
        state=CohortState.RUNNING,
    )
    empty_cohort = CohortFactory(
        project=project,
        number=2,
        period=None,
        starts_on=date(2027, 2, 1),
        ends_on=date(2027, 3, 29),
        max_size=6,
        state=CohortState.PLANNED,
    )
    school = InstitutionFactory(name="Hogeschool Leiden")
    anna = StudentFactory(
        name="Anna de Wit",
        email="anna@example.org",
        profile__institution=school,
        profile__programme="Social Work",
    )
    wim = StudentFactory(
        name="Wim Wacht",
        email="wim@example.org",
        profile__institution=school,
        profile__programme="Pedagogiek",
    )
    place = EnrolmentFactory(
        cohort=cohort,
        student=anna,
        state=EnrolmentState.MEMBER,
        queued_at=aware(date(2026, 8, 1)),
        vog_confirmed=True,
        vog_checked_at=aware(date(2026, 8, 20)),
    )
    EnrolmentFactory(
        cohort=cohort,
        student=wim,
        state=EnrolmentState.WAITLISTED,
        queued_at=aware(date(2026, 7, 1)),
    )
    lecturer = ResearcherFactory(name="Rachid Docent", email="docent@hsleiden.nl")
    hours = HoursEntry.objects.create(
        enrolment=place,
        worked_on=date(2026, 9, 9),
        hours=Decimal("3.5"),
        description="=SUM(A1) gesprekken gevoerd",
        state=HoursState.CONFIRMED,
        decided_by=lecturer,
        decided_at=aware(date(2026, 9, 10)),
    )
    event = EventFactory(
        title="Meet & Match najaar",
        starts_at=aware(date(2026, 10, 1), 15),
        ends_at=aware(date(2026, 10, 1), 17),
        registration_deadline=aware(date(2026, 9, 24), 15),
        themes=[loneliness],
    )
    registration = RegistrationFactory(
        event=event,
        person=lecturer,
        role_at_event=RoleAtEvent.LECTURER,
        brings="Onderzoek naar eenzaamheid.",
        seeks="Een buurthuis.",
        themes=[loneliness],
        state=RegistrationState.REGISTERED,
        check_in_code="K1X9Q2",
        checked_in_at=aware(date(2026, 10, 1), 15),
    )
    CalendarFeed.objects.create(person=lecturer)
    return Scene(challenge, project, cohort, empty_cohort, registration, hours, lecturer)


def expected(scene: Scene) -> dict[str, list[list]]:
    cohort = [
        "Taalcafé",
        1,
        "Running",
        "Najaar 2026",
        date(2026, 9, 7),
        date(2026, 11, 2),
        "First come, first served",
        5,
    ]
    return {
        "vraagstukken": [
            [
                scene.challenge.pk,
                "Samen eten",
                "Buurthuis De Kooi",
                "In progress",
                "Eenzaamheid",
                "De Kooi",
                "Hoe zorgen we dat ouderen vaker samen eten?",
                "Medium",
                "Residents are not asked to take part",
                4,
                date(2026, 9, 1),
                date(2026, 12, 18),
                date(2026, 5, 4),
                date(2026, 5, 20),
                1,
                "yes",
            ]
        ],
        "projecten": [
            [
                scene.project.pk,
                "Taalcafé",
                "Samen eten",
                "Buurthuis De Kooi",
                "Eenzaamheid",
                "De Kooi",
                "Op Locatie, Leiden-Noord",
                "Medium",
                "mbo (vocational college), hbo (university of applied sciences)",
                "Dutch",
                6,
                2,
                1,
                date(2026, 6, 1),
            ]
        ],
        "groepen": [
            [
                *cohort,
                "Anna de Wit",
                "anna@example.org",
                "Hogeschool Leiden",
                "Social Work",
                "Member",
                None,
                "yes",
                date(2026, 8, 20),
            ],
            [
                *cohort,
                "Wim Wacht",
                "wim@example.org",
                "Hogeschool Leiden",
                "Pedagogiek",
                "On the waiting list",
                1,
                "no",
                None,
            ],
            [
                "Taalcafé",
                2,
                "Planned",
                "",
                date(2027, 2, 1),
                date(2027, 3, 29),
                "First come, first served",
                6,
                *[""] * 7,
                None,
            ],
        ],
        "aanmeldingen": [
            [
                "Meet & Match najaar",
                date(2026, 10, 1),
                "Rachid Docent",
                "docent@hsleiden.nl",
                "Lecturer",
                "Onderzoek naar eenzaamheid.",
                "Een buurthuis.",
                "Eenzaamheid",
                "Registered",
                "yes",
                "2026-10-01 15:00",
            ]
        ],
        "uren": [
            [
                "Anna de Wit",
                "Hogeschool Leiden",
                "Taalcafé",
                1,
                date(2026, 9, 9),
                Decimal("3.5"),
                "'=SUM(A1) gesprekken gevoerd",
                "Confirmed",
                "Rachid Docent",
                date(2026, 9, 10),
                "",
            ]
        ],
    }


# --- Reading the files --------------------------------------------------------------------


def as_text(value) -> str:
    """A cell as the CSV file writes it."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def as_cell(value):
    """A cell as read back from Excel, where an empty cell is None."""
    return None if value == "" else value


def read(response, file_format: str) -> list[list]:
    if file_format == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    # Excel keeps a date as a moment at midnight; the exports write dates only.
    return [
        [cell.date() if isinstance(cell, datetime) else cell for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]


def file_as(rows: list[list], file_format: str, *, headers: list[str]) -> list[list]:
    """What a file of these typed rows reads back as, in that format."""
    convert = as_text if file_format == "csv" else as_cell
    return [headers, *[[convert(value) for value in row] for row in rows]]


def export_url(kind: str, file_format: str, query: str = "") -> str:
    return f"/coordinatie/export/{kind}.{file_format}{query}"


# --- From the dashboard -------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_export_holds_exactly_the_expected_columns_and_rows(
    coordinator_client, scene, kind, file_format
):
    response = coordinator_client.get(export_url(kind, file_format))

    assert response.status_code == 200
    assert response["Content-Type"] == ("text/csv; charset=utf-8" if file_format == "csv" else XLSX)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{kind}-{timezone.localdate():%Y%m%d}.{file_format}"'
    )
    assert read(response, file_format) == file_as(
        expected(scene)[kind], file_format, headers=HEADERS[kind]
    )


def test_export_headings_follow_the_coordinators_language(client, coordinator, scene):
    coordinator.language = "nl"
    coordinator.save(update_fields=["language"])
    sign_in_for_admin(client, coordinator)

    response = client.get(export_url("uren", "csv"))

    with translation.override("nl"):
        dutch = [translation.gettext(heading) for heading in HEADERS["uren"]]
    assert read(response, "csv")[0] == dutch


def test_export_applies_the_dashboards_theme_and_neighbourhood(coordinator_client, scene):
    other = ChallengeFactory(title="Schone straten", state=ChallengeState.SUBMITTED)
    other.themes.set([ThemeFactory(slug="armoede", name="Armoede")])

    by_theme = read(
        coordinator_client.get(export_url("vraagstukken", "csv", "?theme=armoede")), "csv"
    )
    by_hood = read(
        coordinator_client.get(export_url("vraagstukken", "csv", "?neighbourhood=de-kooi")), "csv"
    )

    assert [row[1] for row in by_theme[1:]] == ["Schone straten"]
    assert [row[1] for row in by_hood[1:]] == ["Samen eten"]


def test_export_applies_the_dashboards_period(coordinator_client, scene):
    autumn = scene.cohort.period

    rows = read(coordinator_client.get(export_url("groepen", "csv", f"?period={autumn.pk}")), "csv")

    assert [(row[1], row[8]) for row in rows[1:]] == [("1", "Anna de Wit"), ("1", "Wim Wacht")]


@pytest.mark.parametrize(
    "query", ["?period=abc", "?period=99999999999999999999", "?theme=%00", "?neighbourhood=x%20y"]
)
def test_export_ignores_filters_that_match_nothing(coordinator_client, scene, query):
    response = coordinator_client.get(export_url("vraagstukken", "csv", query))

    assert response.status_code == 200
    assert [row[1] for row in read(response, "csv")[1:]] == ["Samen eten"]


@pytest.mark.parametrize(
    "url", ["/coordinatie/export/onbekend.csv", "/coordinatie/export/uren.pdf"]
)
def test_export_that_does_not_exist_is_not_found(coordinator_client, url):
    assert coordinator_client.get(url).status_code == 404


def test_exports_block_links_each_export_in_both_formats():
    html = render_to_string(
        "coordination/_exports.html", {"filter_query": "theme=eenzaamheid&period=3"}
    )

    for kind in KINDS:
        for file_format in FORMATS:
            assert (
                f'href="{export_url(kind, file_format, "?theme=eenzaamheid&amp;period=3")}"' in html
            )


# The session and its user, then the export's own: one query for the rows, one per list.
QUERIES = {"vraagstukken": 5, "projecten": 5, "groepen": 4, "aanmeldingen": 4, "uren": 3}


@pytest.mark.parametrize("kind", KINDS)
def test_export_reads_in_a_fixed_number_of_queries_for_one_or_many_rows(
    coordinator_client, scene, django_assert_num_queries, kind
):
    many = {
        "vraagstukken": lambda: ChallengeFactory.create_batch(4),
        "projecten": lambda: ProjectFactory.create_batch(4),
        "groepen": lambda: EnrolmentFactory.create_batch(4, cohort=CohortFactory()),
        "aanmeldingen": lambda: RegistrationFactory.create_batch(4),
        "uren": lambda: [
            HoursEntry.objects.create(
                enrolment=EnrolmentFactory(),
                worked_on=date(2026, 9, 9),
                hours=Decimal(2),
                description="Gesprek",
            )
            for _ in range(4)
        ],
    }
    queries = QUERIES[kind]
    with django_assert_num_queries(queries):
        assert coordinator_client.get(export_url(kind, "xlsx")).status_code == 200

    many[kind]()

    with django_assert_num_queries(queries):
        assert coordinator_client.get(export_url(kind, "csv")).status_code == 200


# --- Who may export -----------------------------------------------------------------------


@pytest.fixture
def staff_with_every_permission(db):
    staff = PartnerMemberFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.all())
    return staff


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "who",
    ["student", "partner_member", "researcher", "staff_with_every_permission"],
)
def test_export_is_refused_to_everyone_but_coordinators(
    client, request, scene, who, kind, file_format
):
    sign_in_for_admin(client, request.getfixturevalue(who))

    assert client.get(export_url(kind, file_format)).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_export_sends_anonymous_visitors_to_log_in(client, scene, kind):
    response = client.get(export_url(kind, "csv"))

    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_export_service_refuses_whoever_is_not_a_coordinator(
    student, partner_member, researcher, staff_with_every_permission
):
    for person in (student, partner_member, researcher, staff_with_every_permission):
        with pytest.raises(ExportRefusedError):
            export_rows("uren", actor=person, filters=ExportFilters())


# --- From the admin -----------------------------------------------------------------------

ADMIN = {
    "vraagstukken": "/beheer/partners/challenge/",
    "projecten": "/beheer/projects/project/",
    "groepen": "/beheer/projects/cohort/",
    "aanmeldingen": "/beheer/events/registration/",
    "uren": "/beheer/projects/hoursentry/",
}


def another_row(kind: str) -> None:
    """A second row of the kind, which the admin tests leave unselected."""
    {
        "vraagstukken": lambda: ChallengeFactory(title="Schone straten"),
        "projecten": lambda: ProjectFactory(title="Moestuin"),
        "groepen": lambda: EnrolmentFactory(cohort=CohortFactory()),
        "aanmeldingen": RegistrationFactory,
        "uren": lambda: HoursEntry.objects.create(
            enrolment=EnrolmentFactory(),
            worked_on=date(2026, 9, 8),
            hours=Decimal(1),
            description="Voorbereiding",
        ),
    }[kind]()


def selected(scene: Scene, kind: str) -> list[int]:
    return {
        "vraagstukken": [scene.challenge.pk],
        "projecten": [scene.project.pk],
        "groepen": [scene.cohort.pk],
        "aanmeldingen": [scene.registration.pk],
        "uren": [scene.hours.pk],
    }[kind]


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_admin_action_exports_exactly_the_selected_rows(
    coordinator_client, scene, kind, file_format
):
    another_row(kind)

    response = coordinator_client.post(
        ADMIN[kind], {"action": f"export_{file_format}", "_selected_action": selected(scene, kind)}
    )

    assert response["Content-Disposition"] == (
        f'attachment; filename="{kind}-{timezone.localdate():%Y%m%d}.{file_format}"'
    )
    rows = expected(scene)[kind]
    if kind == "groepen":
        rows = rows[:2]  # the selected group's roster, not the empty group's row
    assert read(response, file_format) == file_as(rows, file_format, headers=HEADERS[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_admin_offers_the_export_actions_to_coordinators(coordinator_client, kind):
    choices = dict(
        coordinator_client.get(ADMIN[kind]).context["action_form"].fields["action"].choices
    )

    assert choices["export_csv"] == "Export as CSV"
    assert choices["export_xlsx"] == "Export as Excel"


@pytest.mark.parametrize("kind", KINDS)
def test_admin_export_action_is_refused_to_staff_who_are_not_coordinators(
    client, scene, staff_with_every_permission, kind
):
    sign_in_for_admin(client, staff_with_every_permission)

    response = client.post(
        ADMIN[kind], {"action": "export_csv", "_selected_action": selected(scene, kind)}
    )

    assert "Content-Disposition" not in response
    assert response["Content-Type"] == "text/html; charset=utf-8"


# --- Secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_no_export_holds_a_secret(coordinator_client, scene, file_format):
    secrets = [
        *SECRETS,
        scene.lecturer.password,
        scene.lecturer.calendar_feed.token,
    ]

    for kind in KINDS:
        cells = read(coordinator_client.get(export_url(kind, file_format)), file_format)
        text = "\n".join(str(cell) for row in cells for cell in row if cell is not None)
        assert [secret for secret in secrets if secret in text] == []


@pytest.mark.usefixtures("english")
def test_no_export_has_a_column_for_secrets(coordinator):
    forbidden = ["password", "token", "code", "resident's", "contact person", "phone", "note"]

    headings = [
        heading.lower()
        for kind in KINDS
        for heading in export_rows(kind, actor=coordinator).headers
    ]

    assert [h for h in headings if any(word in h for word in forbidden)] == []
