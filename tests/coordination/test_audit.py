"""The audit page: who changed what on challenges, groups, enrolments and Meet & Matches."""

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pghistory
import pytest
from django.urls import reverse

from coordination.models import CohortAudit, EnrolmentAudit
from events.models import OP_LOCATIE
from events.services.lifecycle import event_update
from partners.enums import ChallengeAction, ChallengeState
from partners.services.challenge_workflow import challenge_transition
from projects.enums import CohortState
from projects.models import Enrolment
from projects.services.cohorts import CohortAction, cohort_transition
from projects.services.enrolment import enrolment_join
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import StudentFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

URL = "/coordinatie/audit/"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class _TableReader(HTMLParser):
    """The audit table's body as rows of cells, each cell's text squeezed to single spaces."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def audit_rows(client, query: str = "") -> list[list[str]]:
    response = client.get(URL + query)
    assert response.status_code == 200
    reader = _TableReader()
    reader.feed(response.content.decode())
    return reader.rows


@pytest.fixture
def coordinator(coordinator):
    """The standard coordinator, reading the site in English: the tests compare the page's
    words, and the Dutch ones come from the catalogue."""
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    return coordinator


def who_and_what(rows: list[list[str]]) -> list[tuple[str, str]]:
    """(who, change) per row, without the time and the object."""
    return [(row[1], row[3]) for row in rows]


# --- What is recorded, and who did it ---------------------------------------------------


def test_student_joining_through_the_site_shows_the_student_and_the_new_state(
    client, student, coordinator
):
    cohort = CohortFactory(project=ProjectFactory(title="Buurtmoestuin"), number=2)
    client.force_login(student)
    client.post(reverse("projects:join", args=[cohort.pk]))
    enrolment = Enrolment.objects.get()

    client.force_login(coordinator)
    rows = audit_rows(client, "?soort=inschrijving")

    assert [row[1:] for row in rows] == [
        [
            "Sanne Student",
            f"Enrolment Sanne Student · Buurtmoestuin · 2 History of no. {enrolment.pk}",
            "Created State: Member",
        ]
    ]


def test_cohort_transition_by_a_coordinator_shows_old_and_new_state(coordinator):
    cohort = CohortFactory(state=CohortState.OPEN)

    # The middleware does exactly this for every web request that writes.
    with pghistory.context(user=coordinator.pk, url="/admin/"):
        cohort_transition(cohort_id=cohort.pk, action=CohortAction.CLOSE, actor=coordinator)

    event = CohortAudit.objects.filter(pgh_obj=cohort, pgh_label="update").get()
    assert (event.state, event.pgh_context.metadata["user"]) == ("closed", coordinator.pk)


def test_cohort_closed_by_the_platform_shows_as_the_platform(client, coordinator):
    cohort = CohortFactory(state=CohortState.OPEN, project=ProjectFactory(title="Taalcafé"))

    cohort_transition(cohort_id=cohort.pk, action=CohortAction.CLOSE, actor=None)

    client.force_login(coordinator)
    rows = audit_rows(client, f"?soort=groep&nummer={cohort.pk}")
    assert who_and_what(rows) == [
        ("The platform", "Changed State: from Open for registration to Registration closed"),
        ("The platform", "Created State: Open for registration"),
    ]


def test_challenge_decision_shows_the_coordinator_and_each_changed_field(
    client, partner_member, coordinator
):
    organisation = organisation_with_member(partner_member, budget=5)
    challenge = challenge_in(ChallengeState.SUBMITTED, organisation, eligible=True)

    with pghistory.context(user=coordinator.pk, url="/admin/"):
        challenge_transition(
            challenge_id=challenge.pk,
            action=ChallengeAction.DECLINE,
            actor=coordinator,
            message="Past niet bij studenten.",
        )

    client.force_login(coordinator)
    rows = audit_rows(client, f"?soort=vraagstuk&nummer={challenge.pk}")
    assert who_and_what(rows)[0] == (
        "Cora Coördinator",
        (
            "Changed State: from Submitted to Declined "
            "Reason for the decision: from — to Past niet bij studenten."
        ),
    )


def test_event_change_shows_each_field_from_old_to_new_in_words(client, coordinator):
    starts = datetime(2027, 3, 4, 15, 0, tzinfo=AMSTERDAM)
    event = EventFactory(
        title="Voorjaarseditie",
        starts_at=starts,
        ends_at=starts.replace(hour=17),
        registration_deadline=datetime(2027, 2, 25, 12, 0, tzinfo=AMSTERDAM),
    )

    with pghistory.context(user=coordinator.pk, url="/admin/"):
        event_update(
            event_id=event.pk,
            actor=coordinator,
            changes={
                "venue": "Bibliotheek Noord",
                "capacity": 30,
                "starts_at": starts.replace(hour=16),
                "ends_at": starts.replace(hour=18),
            },
        )

    client.force_login(coordinator)
    rows = audit_rows(client, f"?soort=meet-and-match&nummer={event.pk}")
    assert who_and_what(rows)[0] == (
        "Cora Coördinator",
        (
            "Changed Starts: from March 4, 2027, 3 p.m. to March 4, 2027, 4 p.m. "
            "Ends: from March 4, 2027, 5 p.m. to March 4, 2027, 6 p.m. "
            f"Place: from {OP_LOCATIE} to Bibliotheek Noord Places: from 20 to 30"
        ),
    )
    assert rows[0][2] == f"Meet & Match Voorjaarseditie History of no. {event.pk}"


def test_bulk_update_outside_the_services_is_recorded_too(coordinator):
    cohort = CohortFactory()
    EnrolmentFactory.create_batch(3, cohort=cohort)

    Enrolment.objects.filter(cohort=cohort).update(state="withdrawn")

    assert sorted(
        EnrolmentAudit.objects.filter(pgh_label="update").values_list("state", flat=True)
    ) == ["withdrawn", "withdrawn", "withdrawn"]


def test_enrolment_join_in_the_service_records_the_old_and_new_values(student):
    cohort = CohortFactory(max_size=1)
    EnrolmentFactory(cohort=cohort)

    with pghistory.context(user=student.pk, url="/projecten/"):
        enrolment = enrolment_join(cohort_id=cohort.pk, student=student)

    recorded = EnrolmentAudit.objects.get(pgh_obj=enrolment)
    assert (recorded.pgh_label, recorded.state, recorded.student_id) == (
        "insert",
        "waitlisted",
        student.pk,
    )
    assert recorded.pgh_context.metadata == {"user": student.pk, "url": "/projecten/"}


# --- Filters ---------------------------------------------------------------------------


def test_filter_by_person_shows_only_their_changes(client, coordinator, student):
    cohort = CohortFactory(project=ProjectFactory(title="Buurtmoestuin"))
    other = StudentFactory(name="Omar Ander")
    client.force_login(student)
    client.post(reverse("projects:join", args=[cohort.pk]))
    client.force_login(other)
    client.post(reverse("projects:join", args=[cohort.pk]))

    client.force_login(coordinator)
    rows = audit_rows(client, "?door=omar")

    assert [row[1] for row in rows] == ["Omar Ander"]


def test_bad_filter_is_shown_with_what_was_typed_and_lists_nothing(client, coordinator):
    CohortFactory()
    client.force_login(coordinator)

    response = client.get(URL + "?soort=planeet&nummer=abc")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="abc"' in page
    assert "Correct the filters above" in page
    assert response.context["lines"] is None


def test_pages_hold_fifty_changes_newest_first(client, coordinator):
    project = ProjectFactory(title="Taalcafé")
    cohorts = [CohortFactory(project=project, number=n) for n in range(1, 56)]
    client.force_login(coordinator)

    first = audit_rows(client, "?soort=groep")
    second = audit_rows(client, "?soort=groep&pagina=2")

    assert (len(first), len(second)) == (50, 5)
    assert first[0][2].startswith(f"Group Taalcafé · 55 History of no. {cohorts[-1].pk}")
    assert second[-1][2].startswith(f"Group Taalcafé · 1 History of no. {cohorts[0].pk}")


# --- Constant queries ------------------------------------------------------------------


def _changes_of_every_kind(coordinator, partner_member, times: int) -> None:
    organisation = organisation_with_member(
        partner_member, name=f"Bibliotheek {times}", budget=times + 1
    )
    for _ in range(times):
        with pghistory.context(user=coordinator.pk, url="/admin/"):
            challenge_in(ChallengeState.SUBMITTED, organisation, eligible=True)
            enrolment = EnrolmentFactory()
            cohort_transition(
                cohort_id=enrolment.cohort_id, action=CohortAction.CLOSE, actor=coordinator
            )
            RegistrationFactory()


@pytest.mark.parametrize("times", [1, 8])
def test_audit_page_runs_constant_queries(
    client, coordinator, partner_member, django_assert_num_queries, times
):
    _changes_of_every_kind(coordinator, partner_member, times)
    client.force_login(coordinator)
    client.get(URL)  # the session and the user are loaded once here and cached below

    # session, user, count, page of events, then one query each for the people, groups,
    # projects, organisations and Meet & Matches that the lines name.
    with django_assert_num_queries(9):
        response = client.get(URL)

    assert len(response.context["lines"]) == min(50, times * 7)


# --- Who may see it --------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(URL)

    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("account_login"))


@pytest.mark.parametrize(
    "person", ["student", "partner_member", "other_partner_member", "researcher"]
)
def test_non_coordinators_get_a_404(client, request, person):
    client.force_login(request.getfixturevalue(person))

    assert client.get(URL).status_code == 404


def test_staff_without_the_coordinator_role_get_a_404(client, researcher):
    researcher.is_staff = True
    researcher.save(update_fields=["is_staff"])
    client.force_login(researcher)

    assert client.get(URL).status_code == 404


def test_deleted_enrolment_keeps_its_name_and_shows_as_deleted(client, coordinator):
    enrolment = EnrolmentFactory(
        student=StudentFactory(name="Omar Ander"),
        cohort=CohortFactory(project=ProjectFactory(title="Taalcafé"), number=3),
    )
    number = enrolment.pk
    enrolment.delete()

    client.force_login(coordinator)
    rows = audit_rows(client, f"?soort=inschrijving&nummer={number}")

    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("The platform", f"Enrolment Omar Ander · Taalcafé · 3 History of no. {number}", "Deleted"),
        (
            "The platform",
            f"Enrolment Omar Ander · Taalcafé · 3 History of no. {number}",
            "Created State: Member",
        ),
    ]
