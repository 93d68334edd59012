"""The impact report of an academic year: its numbers equal what the test's data implies,
it holds only the year asked for, its query count does not grow, and only coordinators see
it."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coordination.selectors_impact import AcademicYear
from events.enums import EventState
from events.models import FollowUp, Meeting
from projects.enums import CohortState, DossierState, EnrolmentState, HoursState
from projects.models import HandoverDossier, HoursEntry, PartnerFeedback
from tests.coordination.pages import page, table
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import InstitutionFactory, StudentFactory, ThemeFactory, UserFactory
from tests.projects.cohort_factories import cohort_in, neighbourhood, organisation, project_of
from tests.projects.factories import EnrolmentFactory
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

URL = "/coordinatie/impact/2025-2026/"
NONE = "\N{EN DASH}"
NOT_COORDINATORS = ["student", "partner_member", "other_partner_member", "researcher"]


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def totals_of(tree) -> dict[str, str]:
    return {
        dd.attrs["id"]: dd.text for dd in tree.find("dl", class_="impact-totals").find_all("dd")
    }


def completed(project, ends_on: date, state=CohortState.COMPLETED):
    return cohort_in(
        state, project=project, starts_on=ends_on - timedelta(weeks=8), ends_on=ends_on
    )


def hours(enrolment, amount: str, state=HoursState.CONFIRMED):
    HoursEntry.objects.create(
        enrolment=enrolment,
        worked_on=enrolment.cohort.ends_on,
        hours=Decimal(amount),
        description="Voorlezen",
        state=state,
        decided_at=None if state == HoursState.SUBMITTED else timezone.now(),
    )


def approved(cohort, summary: str, state=DossierState.APPROVED):
    return HandoverDossier.objects.create(
        cohort=cohort,
        public_summary=summary,
        state=state,
        decided_at=timezone.now() if state == DossierState.APPROVED else None,
    )


def feedback(cohort, organisation, rating: int, went_well: str):
    return PartnerFeedback.objects.create(
        cohort=cohort, organisation=organisation, rating=rating, went_well=went_well
    )


def held_event(starts: datetime):
    return EventFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_deadline=starts - timedelta(days=7),
        state=EventState.HELD,
    )


def follow_up(event, **links):
    meeting = Meeting.objects.get_or_create(event=event, round=1, table=1)[0]
    return FollowUp.objects.create(
        registration=RegistrationFactory(event=event), meeting=meeting, **links
    )


def amsterdam(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 15, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def year_of_work():
    """Two completed groups in 2025-2026, and work outside the year or not completed."""
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    literacy = ThemeFactory(slug="laaggeletterdheid", name="Laaggeletterdheid")
    kooi, noord = neighbourhood(name="De Kooi"), neighbourhood(name="Leiden-Noord")
    library = organisation(name="Bibliotheek Noord")
    housing = organisation(name="Woonzorg")
    hogeschool = InstitutionFactory(name="Hogeschool Leiden", kind="hbo")
    roc = InstitutionFactory(name="ROC Mondriaan", kind="mbo")
    reading = project_of(
        library, neighbourhood=kooi, title="Voorlezen in de wijk", themes=[loneliness, literacy]
    )
    living_room = project_of(housing, neighbourhood=noord, title="Buurtkamer", themes=[loneliness])
    sanne = StudentFactory(profile__institution=hogeschool)
    ahmed = StudentFactory(profile__institution=roc)
    lisa = StudentFactory(profile__institution=roc)

    autumn = completed(reading, date(2025, 12, 19))
    hours(EnrolmentFactory(cohort=autumn, student=sanne), "4")
    sanne_autumn = autumn.enrolments.get(student=sanne)
    hours(sanne_autumn, "2.5")
    hours(sanne_autumn, "3", state=HoursState.SUBMITTED)
    hours(EnrolmentFactory(cohort=autumn, student=ahmed, state=EnrolmentState.COMPLETED), "5")
    hours(EnrolmentFactory(cohort=autumn, state=EnrolmentState.WITHDRAWN), "7")

    spring = completed(living_room, date(2026, 6, 26))
    EnrolmentFactory(cohort=spring, student=sanne, state=EnrolmentState.COMPLETED)
    hours(EnrolmentFactory(cohort=spring, student=lisa, state=EnrolmentState.COMPLETED), "6")

    last_year = completed(living_room, date(2025, 6, 27))
    hours(EnrolmentFactory(cohort=last_year), "10")
    still_running = completed(reading, date(2026, 3, 13), state=CohortState.RUNNING)
    hours(EnrolmentFactory(cohort=still_running), "8")

    approved(autumn, "Veertig kinderen lazen elke week mee.")
    approved(spring, "")
    approved(last_year, "Een oude samenvatting.")
    approved(still_running, "Nog niet klaar.", state=DossierState.SUBMITTED)

    feedback(autumn, library, 5, "De kinderen waren enthousiast.")
    feedback(spring, housing, 4, "Goede gesprekken met bewoners.")
    feedback(last_year, housing, 1, "Vorig jaar.")

    meet = held_event(amsterdam(2025, 11, 10))
    follow_up(meet, project=reading)
    follow_up(meet, challenge=living_room.challenge)
    follow_up(meet)
    follow_up(held_event(amsterdam(2024, 11, 11)), project=reading)
    return autumn, spring


def test_totals_count_the_completed_groups_of_the_year(coordinator_client, year_of_work):
    tree = page(coordinator_client.get(URL))

    totals = totals_of(tree)
    assert totals == {
        "total-cohorts": "2",
        "total-projects": "2",
        "total-students": "3",
        "total-hours": "17.5",
        "total-follow-ups": "3",
        "average-rating": "4.5",
    }


def test_numbers_per_theme_neighbourhood_and_institution(coordinator_client, year_of_work):
    tree = page(coordinator_client.get(URL))

    assert table(tree, "themes-table") == {
        "Eenzaamheid": ["2", "3", "17.5"],
        "Laaggeletterdheid": ["1", "2", "11.5"],
    }
    assert table(tree, "neighbourhoods-table") == {
        "De Kooi": ["1", "2", "11.5"],
        "Leiden-Noord": ["1", "2", "6"],
    }
    assert table(tree, "institutions-table") == {
        "ROC Mondriaan": ["2", "2", "11"],
        "Hogeschool Leiden": ["2", "1", "6.5"],
    }


def test_projects_completed_lists_each_completed_group(coordinator_client, year_of_work):
    tree = page(coordinator_client.get(URL))

    assert table(tree, "completed-table") == {
        "Voorlezen in de wijk": [
            str(year_of_work[0].number),
            "Bibliotheek Noord",
            "De Kooi",
            "19 December 2025",
        ],
        "Buurtkamer": [
            str(year_of_work[1].number),
            "Woonzorg",
            "Leiden-Noord",
            "26 June 2026",
        ],
    }


def test_follow_ups_from_meet_and_match_held_in_the_year(coordinator_client, year_of_work):
    tree = page(coordinator_client.get(URL))

    assert tree.find("p", id="follow-up-counts").text == (
        "3 meetings got a follow-up: 1 linked to a challenge, 1 to a project."
    )
    rows = tree.find("table", id="follow-ups-table").find("tbody").find_all("tr")
    assert [row.find_all("td")[2].text for row in rows] == [
        "Voorlezen in de wijk",
        living_room_challenge_title(year_of_work),
        NONE,
    ]


def living_room_challenge_title(year_of_work) -> str:
    return year_of_work[1].project.challenge.title


def test_highlights_are_public_summaries_of_approved_dossiers(coordinator_client, year_of_work):
    tree = page(coordinator_client.get(URL))

    highlights = tree.find_all("blockquote", class_="highlight")
    assert [h.find("p", class_="highlight__title").text for h in highlights] == [
        f"Voorlezen in de wijk · group {year_of_work[0].number}"
    ]
    assert [h.find_all("p")[1].text for h in highlights] == [
        "Veertig kinderen lazen elke week mee."
    ]


def test_partner_feedback_shows_the_average_and_what_went_well(coordinator_client, year_of_work):
    tree = page(coordinator_client.get(URL))

    assert tree.find("p", id="feedback-summary").text == (
        "2 partners gave feedback, with an average rating of 4.5 out of 5."
    )
    assert [q.find("p").text for q in tree.find_all("blockquote", class_="quote")] == [
        "De kinderen waren enthousiast.",
        "Goede gesprekken met bewoners.",
    ]


def test_the_year_before_holds_only_its_own_work(coordinator_client, year_of_work):
    tree = page(coordinator_client.get("/coordinatie/impact/2024-2025/"))

    totals = totals_of(tree)
    assert totals == {
        "total-cohorts": "1",
        "total-projects": "1",
        "total-students": "1",
        "total-hours": "10",
        "total-follow-ups": "1",
        "average-rating": "1.0",
    }


def test_an_empty_year_says_so(coordinator_client):
    tree = page(coordinator_client.get(URL))

    assert tree.find("p", id="feedback-summary").text == "No partner feedback in this year."
    assert table(tree, "completed-table") == {}
    assert tree.find("dd", id="average-rating").text == NONE


@pytest.mark.parametrize("path", ["2025-2027", "2026-2025", "1999-2000", "2025-2026x"])
def test_a_year_that_is_not_one_academic_year_is_a_404(coordinator_client, path):
    assert coordinator_client.get(f"/coordinatie/impact/{path}/").status_code == 404


def test_the_impact_address_leads_to_the_current_academic_year(coordinator_client):
    today = timezone.localdate()
    first = today.year if today.month >= 9 else today.year - 1

    response = coordinator_client.get("/coordinatie/impact/")

    assert response.status_code == 302
    assert response.url == f"/coordinatie/impact/{first}-{first + 1}/"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("day", "slug"),
    [
        (date(2025, 9, 1), "2025-2026"),
        (date(2026, 8, 31), "2025-2026"),
        (date(2026, 1, 15), "2025-2026"),
        (date(2026, 9, 1), "2026-2027"),
    ],
)
def test_an_academic_year_runs_from_september_to_august(day, slug):
    assert AcademicYear.of(day).slug == slug


def test_the_report_links_the_years_before_and_after(coordinator_client):
    tree = page(coordinator_client.get(URL))

    nav = tree.find("nav", class_="impact-nav")
    assert [a.attrs["href"] for a in nav.find_all("a")] == [
        "/coordinatie/",
        "/coordinatie/impact/2024-2025/",
        "/coordinatie/impact/2026-2027/",
    ]


# --- Queries ------------------------------------------------------------------------------------


def _year(size: int) -> None:
    theme = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    meet = held_event(amsterdam(2025, 11, 10))
    for index in range(size):
        owner = organisation()
        project = project_of(
            owner, neighbourhood=neighbourhood(name=f"Wijk {index}"), themes=[theme]
        )
        cohort = completed(project, date(2026, 1, 16))
        hours(EnrolmentFactory(cohort=cohort, state=EnrolmentState.COMPLETED), "3")
        approved(cohort, f"Samenvatting {index}")
        feedback(cohort, owner, 4, "Fijn")
        Meeting.objects.create(event=meet, round=1, table=index + 1)
        FollowUp.objects.create(
            registration=RegistrationFactory(event=meet),
            meeting=Meeting.objects.get(event=meet, table=index + 1),
            project=project,
        )


@pytest.mark.parametrize("size", [1, 10])
def test_the_report_runs_the_same_number_of_queries_for_one_or_many_rows(
    coordinator_client, django_assert_num_queries, size
):
    _year(size)
    coordinator_client.get(URL)

    # session and user, then the report (selectors_impact.impact)
    with django_assert_num_queries(11):
        response = coordinator_client.get(URL)

    assert parse(response.content).find("dd", id="total-cohorts").text == str(size)


# --- Who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [URL, "/coordinatie/impact/"])
def test_anonymous_visitors_are_sent_to_the_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={path}"


@pytest.mark.parametrize("path", [URL, "/coordinatie/impact/"])
@pytest.mark.parametrize("role", NOT_COORDINATORS)
def test_everyone_but_coordinators_gets_a_404(client, request, role, path):
    client.force_login(request.getfixturevalue(role))

    assert client.get(path).status_code == 404


def test_staff_without_the_coordinator_role_gets_a_404(client):
    client.force_login(UserFactory(is_staff=True, role="partner"))

    assert client.get(URL).status_code == 404
