"""The coordinators' dashboard: each figure equals what the test's own data implies, the
filters narrow them, the query count does not grow with the data, and only coordinators
get in."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import InstitutionKind
from accounts.models import ErasureFailure
from events.enums import EventState, RegistrationState
from partners.enums import ChallengeState
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import HoursEntry
from tests.coordination.pages import page, table
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import StudentFactory, ThemeFactory, UserFactory
from tests.projects.cohort_factories import (
    AcademicPeriodFactory,
    cohort_in,
    neighbourhood,
    organisation,
    project_of,
)
from tests.projects.factories import ChallengeFactory, EnrolmentFactory, ProjectFactory, aware
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

URL = "/coordinatie/"
NONE = "\N{EN DASH}"  # what a table shows for a figure that has no value


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def days_ago(days: int):
    return aware(timezone.localdate() - timedelta(days=days))


def student_of(kind: str):
    return StudentFactory(profile__institution__kind=kind)


def running_now(project, state=CohortState.RUNNING, **fields):
    """A cohort of `project` whose dates cover this month."""
    starts = timezone.localdate() - timedelta(days=14)
    return cohort_in(
        state, project=project, starts_on=starts, ends_on=starts + timedelta(weeks=8), **fields
    )


def confirmed(enrolment, hours: str, state=HoursState.CONFIRMED):
    return HoursEntry.objects.create(
        enrolment=enrolment,
        worked_on=timezone.localdate(),
        hours=Decimal(hours),
        description="Gesprekken in het buurthuis",
        state=state,
        decided_at=None if state == HoursState.SUBMITTED else timezone.now(),
    )


# --- Challenges ---------------------------------------------------------------------------------


def test_challenges_by_state_count_each_state_and_how_long_the_queue_waits(coordinator_client):
    for days in (2, 5, 9):
        ChallengeFactory(state=ChallengeState.SUBMITTED, state_changed_at=days_ago(days))
    for days in (1, 4):
        ChallengeFactory(state=ChallengeState.IN_REVIEW, state_changed_at=days_ago(days))
    ChallengeFactory(state=ChallengeState.ACCEPTED, state_changed_at=days_ago(30))
    ChallengeFactory(state=ChallengeState.DRAFT, submitted_at=None)

    rows = table(page(coordinator_client.get(URL)), "challenges-table")

    assert rows == {
        "Draft": ["1", "", ""],
        "Submitted": ["3", "5.0", "9"],
        "In review": ["2", "2.5", "4"],
        "More information needed": ["0", "", ""],
        "Accepted": ["1", "", ""],
        "Declined": ["0", "", ""],
        "In progress": ["0", "", ""],
        "Closed": ["0", "", ""],
    }


def test_a_waiting_state_without_challenges_shows_no_waiting_time(coordinator_client):
    ChallengeFactory(state=ChallengeState.SUBMITTED, state_changed_at=days_ago(0))

    rows = table(page(coordinator_client.get(URL)), "challenges-table")

    assert rows["Submitted"] == ["1", "0.0", "0"]
    assert rows["In review"] == ["0", NONE, NONE]


# --- Cohorts, students, hours ------------------------------------------------------------------


def test_cohorts_by_state_count_every_state(coordinator_client):
    for state, count in [
        (CohortState.OPEN, 2),
        (CohortState.RUNNING, 3),
        (CohortState.COMPLETED, 1),
    ]:
        for _ in range(count):
            cohort_in(state)

    rows = table(page(coordinator_client.get(URL)), "cohorts-table")

    assert rows == {
        "Planned": ["0"],
        "Open for registration": ["2"],
        "Registration closed": ["0"],
        "Running": ["3"],
        "Handing over": ["0"],
        "Completed": ["1"],
        "Cancelled": ["0"],
    }


@pytest.fixture
def teams_at_work():
    """Two teams at work and one not yet: 3 distinct students at work (hbo, mbo, wo)."""
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    literacy = ThemeFactory(slug="laaggeletterdheid", name="Laaggeletterdheid")
    hbo, mbo, wo = student_of("hbo"), student_of("mbo"), student_of("wo")
    running = cohort_in(CohortState.RUNNING, project=ProjectFactory(themes=[loneliness]))
    EnrolmentFactory(cohort=running, student=hbo)
    EnrolmentFactory(cohort=running, student=mbo)
    EnrolmentFactory(cohort=running, state=EnrolmentState.WAITLISTED)
    EnrolmentFactory(cohort=running, state=EnrolmentState.WITHDRAWN)
    handover = cohort_in(CohortState.HANDOVER, project=ProjectFactory(themes=[literacy]))
    EnrolmentFactory(cohort=handover, student=wo, state=EnrolmentState.COMPLETED)
    EnrolmentFactory(cohort=handover, student=hbo)
    EnrolmentFactory(cohort=cohort_in(CohortState.OPEN), student=student_of("mbo"))
    return running, handover


def test_students_at_work_count_each_student_once_per_institution_type(
    coordinator_client, teams_at_work
):
    tree = page(coordinator_client.get(URL))

    assert table(tree, "institution-kinds-table") == {
        "mbo (vocational college)": ["1"],
        "hbo (university of applied sciences)": ["1"],
        "university": ["1"],
    }
    assert tree.find("p", class_="figure__total").text == (
        "3 students are at work in running groups or groups handing over."
    )


def test_students_at_work_per_theme_count_a_student_under_each_theme(
    coordinator_client, teams_at_work
):
    rows = table(page(coordinator_client.get(URL)), "themes-table")

    assert rows == {"Eenzaamheid": ["2"], "Laaggeletterdheid": ["2"]}


def test_a_student_without_an_institution_is_counted_as_unknown(coordinator_client):
    nobody = StudentFactory(profile__institution=None)
    EnrolmentFactory(cohort=cohort_in(CohortState.RUNNING), student=nobody)

    rows = table(page(coordinator_client.get(URL)), "institution-kinds-table")

    assert rows["Institution unknown"] == ["1"]


def test_confirmed_hours_add_up_only_confirmed_entries(coordinator_client, teams_at_work):
    running, handover = teams_at_work
    first, second = running.enrolments.filter(state=EnrolmentState.MEMBER)[:2]
    confirmed(first, "3.5")
    confirmed(first, "4")
    confirmed(second, "2")
    confirmed(second, "5", state=HoursState.SUBMITTED)
    confirmed(handover.enrolments.first(), "1", state=HoursState.DISPUTED)

    tree = page(coordinator_client.get(URL))

    assert tree.find("dd", id="confirmed-hours").text == "9.5"
    assert tree.find("dd", id="confirmed-hours-students").text == "2"


# --- Events -------------------------------------------------------------------------------------


def test_events_ahead_show_their_registrations_and_leave_out_past_and_cancelled(
    coordinator_client,
):
    soon = EventFactory(title="Najaarseditie", capacity=5)
    RegistrationFactory.create_batch(3, event=soon)
    RegistrationFactory(event=soon, state=RegistrationState.WAITLISTED)
    RegistrationFactory(event=soon, state=RegistrationState.CANCELLED)
    EventFactory(title="Nog in voorbereiding", state=EventState.DRAFT)
    EventFactory(title="Gaat niet door", state=EventState.CANCELLED)
    started = timezone.now() - timedelta(days=3)
    EventFactory(
        title="Voorbij",
        starts_at=started,
        ends_at=started + timedelta(hours=2),
        registration_deadline=started - timedelta(days=1),
        state=EventState.HELD,
    )

    rows = table(page(coordinator_client.get(URL)), "events-table")

    assert {title: cells[1:] for title, cells in rows.items()} == {
        "Najaarseditie": ["Open for registration", "3", "1", "2"],
        "Nog in voorbereiding": ["Draft", "0", "0", "20"],
    }


# --- Load ---------------------------------------------------------------------------------------


@pytest.fixture
def loaded_city():
    """Organisations and neighbourhoods over, close to and within their budgets."""
    kooi = neighbourhood(name="De Kooi", budget=10)
    noord = neighbourhood(name="Leiden-Noord", budget=5)
    neighbourhood(name="Merenwijk", budget=20)
    full = organisation(budget=2, name="Bibliotheek Noord")
    over = organisation(budget=1, name="Woonzorg")
    calm = organisation(budget=5, name="Buurthuis De Kooi")
    organisation(budget=3, name="Stil Fonds")
    running_now(project_of(full, contacts=9, neighbourhood=kooi))
    cohort_in(CohortState.OPEN, project=project_of(full))
    running_now(project_of(over, contacts=6, neighbourhood=noord))
    running_now(project_of(over), state=CohortState.HANDOVER)
    running_now(project_of(calm))
    cohort_in(CohortState.COMPLETED, project=project_of(calm, contacts=50, neighbourhood=noord))
    return kooi, noord


def test_load_per_organisation_flags_over_and_close_to_budget(coordinator_client, loaded_city):
    rows = table(page(coordinator_client.get(URL)), "organisations-table")

    assert rows == {
        "Woonzorg": ["2", "1", "Over budget"],
        "Bibliotheek Noord": ["2", "2", "Close to budget"],
        "Buurthuis De Kooi": ["1", "5", "Within budget"],
    }


def test_load_per_neighbourhood_this_month_flags_over_and_close(coordinator_client, loaded_city):
    rows = table(page(coordinator_client.get(URL)), "neighbourhoods-table")

    assert rows == {
        "Leiden-Noord": ["6", "5", "Over budget"],
        "De Kooi": ["9", "10", "Close to budget"],
        "Merenwijk": ["0", "20", "Within budget"],
    }


def test_charts_draw_one_bar_per_table_row_and_point_to_their_table(
    coordinator_client, loaded_city
):
    tree = page(coordinator_client.get(URL))

    charts = {svg.attrs["data-table"]: svg for svg in tree.find_all("svg", class_="chart")}
    # Nobody is at work, so the figure per theme has no rows and no chart.
    assert set(charts) == {
        "challenges-table",
        "cohorts-table",
        "institution-kinds-table",
        "organisations-table",
        "neighbourhoods-table",
    }
    assert {svg.attrs["aria-hidden"] for svg in charts.values()} == {"true"}
    bars = charts["organisations-table"].find_all("rect")
    assert [bar.attrs["class"] for bar in bars] == [
        "chart__bar chart__bar--over",
        "chart__bar chart__bar--close",
        "chart__bar",
    ]
    assert [label.text for label in charts["organisations-table"].find_all("text")] == [
        "Woonzorg",
        "2 / 1",
        "Bibliotheek Noord",
        "2 / 2",
        "Buurthuis De Kooi",
        "1 / 5",
    ]
    assert b"style=" not in coordinator_client.get(URL).content


# --- Filters ------------------------------------------------------------------------------------


@pytest.fixture
def two_of_everything():
    """Two running cohorts that differ in period, theme and neighbourhood, each with one
    student and confirmed hours, and two challenges."""
    autumn = AcademicPeriodFactory(name="Najaar 2026")
    spring = AcademicPeriodFactory(
        name="Voorjaar 2027", starts_on=date(2027, 2, 1), ends_on=date(2027, 7, 31)
    )
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    literacy = ThemeFactory(slug="laaggeletterdheid", name="Laaggeletterdheid")
    kooi = neighbourhood(name="De Kooi", budget=10)
    noord = neighbourhood(name="Leiden-Noord", budget=10)
    first = cohort_in(
        CohortState.RUNNING,
        period=autumn,
        project=ProjectFactory(themes=[loneliness], neighbourhood=kooi),
    )
    second = cohort_in(
        CohortState.RUNNING,
        period=spring,
        project=ProjectFactory(themes=[literacy], neighbourhood=noord),
    )
    confirmed(EnrolmentFactory(cohort=first, student=student_of(InstitutionKind.HBO)), "3")
    confirmed(EnrolmentFactory(cohort=second, student=student_of(InstitutionKind.MBO)), "5")
    submitted = ChallengeFactory(
        state=ChallengeState.SUBMITTED,
        state_changed_at=days_ago(3),
        created_at=aware(date(2026, 10, 1)),
    )
    submitted.themes.set([loneliness])
    submitted.neighbourhoods.set([kooi])
    return autumn, spring


def figures(tree) -> dict:
    return {
        "running": table(tree, "cohorts-table")["Running"],
        "kinds": {k: v for k, v in table(tree, "institution-kinds-table").items() if v != ["0"]},
        "themes": table(tree, "themes-table"),
        "hours": tree.find("dd", id="confirmed-hours").text,
        "submitted": table(tree, "challenges-table")["Submitted"][0],
    }


def test_without_filters_the_figures_cover_everything(coordinator_client, two_of_everything):
    assert figures(page(coordinator_client.get(URL))) == {
        "running": ["2"],
        "kinds": {
            "mbo (vocational college)": ["1"],
            "hbo (university of applied sciences)": ["1"],
        },
        "themes": {"Eenzaamheid": ["1"], "Laaggeletterdheid": ["1"]},
        "hours": "8",
        "submitted": "1",
    }


def test_the_period_filter_keeps_the_cohorts_of_that_period(coordinator_client, two_of_everything):
    autumn, _spring = two_of_everything

    tree = page(coordinator_client.get(URL, {"period": autumn.pk}))

    assert figures(tree) == {
        "running": ["1"],
        "kinds": {"hbo (university of applied sciences)": ["1"]},
        "themes": {"Eenzaamheid": ["1"]},
        "hours": "3",
        "submitted": "1",
    }
    spring = page(coordinator_client.get(URL, {"period": _spring.pk}))
    assert figures(spring)["submitted"] == "0"
    assert tree.find("select", name="period").find("option", selected="").text == "Najaar 2026"


def test_the_theme_filter_keeps_cohorts_and_challenges_on_that_theme(
    coordinator_client, two_of_everything
):
    tree = page(coordinator_client.get(URL, {"theme": "laaggeletterdheid"}))

    assert figures(tree) == {
        "running": ["1"],
        "kinds": {"mbo (vocational college)": ["1"]},
        "themes": {"Laaggeletterdheid": ["1"]},
        "hours": "5",
        "submitted": "0",
    }


def test_the_neighbourhood_filter_narrows_cohorts_challenges_and_the_load(
    coordinator_client, two_of_everything
):
    tree = page(coordinator_client.get(URL, {"neighbourhood": "de-kooi"}))

    assert figures(tree) == {
        "running": ["1"],
        "kinds": {"hbo (university of applied sciences)": ["1"]},
        "themes": {"Eenzaamheid": ["1"]},
        "hours": "3",
        "submitted": "1",
    }
    assert list(table(tree, "neighbourhoods-table")) == ["De Kooi"]


def test_an_unknown_filter_value_is_shown_as_an_error_and_filters_nothing(
    coordinator_client, two_of_everything
):
    tree = page(coordinator_client.get(URL, {"theme": "bestaat-niet", "neighbourhood": "de-kooi"}))

    field = tree.find("select", name="theme")
    assert field.attrs["aria-invalid"] == "true"
    assert "Select a valid choice." in tree.find("div", class_="field--invalid").text
    # The neighbourhood still filters; the bad theme does not.
    assert figures(tree)["running"] == ["1"]
    assert tree.find("select", name="neighbourhood").find("option", selected="").text == "De Kooi"


# --- Accounts the retention job could not erase ------------------------------------------------


def test_accounts_that_could_not_be_erased_are_counted_and_linked(coordinator_client):
    for student in StudentFactory.create_batch(2):
        ErasureFailure.objects.create(user=student, reason="IntegrityError: refused")

    notice = page(coordinator_client.get(URL)).find("div", id="erasure-failures")

    link = notice.find("a")
    assert (link.text, link.attrs["href"]) == (
        "2 accounts could not be erased",
        "/beheer/accounts/erasurefailure/",
    )


def test_without_accounts_that_could_not_be_erased_the_dashboard_says_nothing(
    coordinator_client,
):
    assert page(coordinator_client.get(URL)).find_all("div", id="erasure-failures") == []


# --- Queries ------------------------------------------------------------------------------------


def _city(size: int) -> None:
    period = AcademicPeriodFactory(name="Najaar 2026")
    theme = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    for index in range(size):
        hood = neighbourhood(name=f"Wijk {index}", budget=10)
        owner = organisation(budget=1)
        owner.neighbourhoods.add(hood)
        project = project_of(owner, contacts=3, neighbourhood=hood, themes=[theme])
        project.challenge.themes.add(theme)
        cohort = running_now(project, period=period)
        confirmed(EnrolmentFactory(cohort=cohort, student=student_of("mbo")), "2")
        ChallengeFactory(state=ChallengeState.SUBMITTED, state_changed_at=days_ago(index))
        RegistrationFactory(event=EventFactory())


def _queries(client, **params) -> int:
    client.get(URL)  # the first request of a session costs more; count a warm one
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL, params).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("size", [1, 12])
def test_dashboard_runs_the_same_number_of_queries_for_one_or_many_rows(
    coordinator_client, django_assert_num_queries, size
):
    _city(size)
    coordinator_client.get(URL)  # the session and the user, warmed up like any request

    # session, user, periods, themes, neighbourhoods, then the figures (selectors.dashboard),
    # the last of them the count of accounts the retention job could not erase
    with django_assert_num_queries(17):
        response = coordinator_client.get(URL, {"theme": "eenzaamheid", "period": ""})

    assert table(parse(response.content), "cohorts-table")["Running"] == [str(size)]


def test_dashboard_query_count_does_not_depend_on_the_filters(coordinator_client):
    _city(2)

    assert _queries(coordinator_client) == _queries(
        coordinator_client, theme="eenzaamheid", neighbourhood="wijk-0"
    )


# --- Who may see it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={URL}"


@pytest.mark.parametrize(
    "role", ["student", "partner_member", "other_partner_member", "researcher"]
)
def test_everyone_but_coordinators_gets_a_404(client, request, role):
    sign_in_for_admin(client, request.getfixturevalue(role))

    assert client.get(URL).status_code == 404


def test_staff_without_the_coordinator_role_gets_a_404(client):
    sign_in_for_admin(client, UserFactory(is_staff=True, role="researcher"))

    assert client.get(URL).status_code == 404


def test_the_admin_index_links_coordinators_to_the_dashboard(coordinator_client):
    tree = page(coordinator_client.get(reverse("admin:index")))

    module = tree.find("div", id="coordination-module")
    assert [(a.text, a.attrs["href"]) for a in module.find_all("a")] == [
        ("Coordinators' dashboard", "/coordinatie/"),
        ("Impact report", "/coordinatie/impact/"),
        ("Who changed what", "/coordinatie/audit/"),
    ]
