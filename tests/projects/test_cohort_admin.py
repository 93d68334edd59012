"""The coordinators' cohort pages: actions end to end, the roster export and the changelist."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Institution
from outbox.models import Message
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, CohortLogEntry, Enrolment
from tests.factories import InstitutionFactory, PartnerMemberFactory, StudentFactory
from tests.partners.challenge_setup import speaks_english
from tests.projects.cohort_factories import (
    AcademicPeriodFactory,
    admin_form_data,
    cohort_in,
    organisation,
    project_of,
)
from tests.projects.factories import EnrolmentFactory, aware
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

COHORTS = "/beheer/projects/cohort/"
ENROLMENTS = "/beheer/projects/enrolment/"


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


@pytest.fixture
def admin_client(client, coordinator):
    sign_in_for_admin(client, coordinator)
    return client


def run(client, action: str, cohorts, **extra):
    return client.post(
        COHORTS,
        {"action": action, "_selected_action": [c.pk for c in cohorts], **extra},
        follow=True,
    )


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def state_of(cohort) -> str:
    return Cohort.objects.get(pk=cohort.pk).state


# --- Transitions ------------------------------------------------------------------------------


def test_open_shows_each_partners_load_then_opens(admin_client):
    library = organisation(budget=3, name="Bibliotheek Noord")
    cohort_in(CohortState.RUNNING, project=project_of(library))
    planned = cohort_in(CohortState.PLANNED, project=project_of(library, title="Taalcafé"))

    confirm = admin_client.post(
        COHORTS, {"action": "open_cohorts", "_selected_action": [planned.pk]}
    )
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "<div>Teams at Bibliotheek Noord: 2 / 3</div>" in page
    assert 'name="override_reason"' in page
    assert state_of(planned) == CohortState.PLANNED

    done = run(admin_client, "open_cohorts", [planned], apply="1")

    assert shown(done) == ["Open registration: 1 group done."]
    assert state_of(planned) == CohortState.OPEN


def test_open_beyond_budget_needs_and_logs_the_reason(admin_client):
    library = organisation(budget=1, name="Bibliotheek Noord")
    cohort_in(CohortState.OPEN, project=project_of(library))
    planned = cohort_in(CohortState.PLANNED, project=project_of(library, title="Taalcafé"))

    confirm = admin_client.post(
        COHORTS, {"action": "open_cohorts", "_selected_action": [planned.pk]}
    )
    assert "<div>Teams at Bibliotheek Noord: 2 / 1 (over budget)</div>" in confirm.content.decode()

    refused = run(admin_client, "open_cohorts", [planned], apply="1")
    assert shown(refused) == [
        (
            f"{planned}: Opening goes over a budget (Bibliotheek Noord: 2/1). "
            "Give a reason to open anyway."
        )
    ]
    assert state_of(planned) == CohortState.PLANNED

    run(admin_client, "open_cohorts", [planned], apply="1", override_reason="Extra begeleider")

    assert state_of(planned) == CohortState.OPEN
    assert list(
        CohortLogEntry.objects.filter(action="budget_override").values_list("message", "data")
    ) == [("Extra begeleider", {"over": ["Bibliotheek Noord: 2/1"]})]


def test_close_warns_when_a_group_is_below_its_minimum(admin_client, coordinator):
    cohort = cohort_in(CohortState.OPEN, min_size=3, project__title="Taalcafé", number=1)
    EnrolmentFactory(cohort=cohort)

    response = run(admin_client, "close_cohorts", [cohort])

    assert shown(response) == [
        (
            "Taalcafé · 1 has 1 of the 3 students it needs. "
            "Decide whether it runs, merges or is cancelled."
        ),
        "Close registration: 1 group done.",
    ]
    assert state_of(cohort) == CohortState.CLOSED
    assert list(Message.objects.values_list("to_email", flat=True)) == [coordinator.email]


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        ("start_cohorts", CohortState.CLOSED, CohortState.RUNNING),
        ("hand_over_cohorts", CohortState.RUNNING, CohortState.HANDOVER),
        ("complete_cohorts", CohortState.HANDOVER, CohortState.COMPLETED),
    ],
)
def test_simple_actions_move_every_selected_cohort(admin_client, action, source, target):
    cohorts = [cohort_in(source), cohort_in(source)]

    response = run(admin_client, action, cohorts)

    assert [state_of(c) for c in cohorts] == [target, target]
    assert shown(response)[-1].endswith(": 2 groups done.")


def test_an_action_refused_for_one_cohort_still_moves_the_others(admin_client):
    ready = cohort_in(CohortState.CLOSED, project__title="Klaar", number=1)
    not_ready = cohort_in(CohortState.OPEN, project__title="Nog open", number=1)

    response = run(admin_client, "start_cohorts", [ready, not_ready])

    assert shown(response) == [
        "Nog open · 1: This cannot be done now: the group is Open for registration.",
        "Start: 1 group done.",
    ]
    assert (state_of(ready), state_of(not_ready)) == (CohortState.RUNNING, CohortState.OPEN)


def test_cancel_asks_for_a_message_then_tells_the_students(admin_client):
    cohort = cohort_in(CohortState.OPEN)
    students = [EnrolmentFactory(cohort=cohort).student for _ in range(2)]
    waiting = EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED).student

    confirm = admin_client.post(
        COHORTS, {"action": "cancel_cohorts", "_selected_action": [cohort.pk]}
    )
    assert 'name="message"' in confirm.content.decode()
    without = run(admin_client, "cancel_cohorts", [cohort], apply="1")
    assert shown(without) == [
        f"{cohort}: Write a short message to the students: it is required here."
    ]
    assert state_of(cohort) == CohortState.OPEN

    run(admin_client, "cancel_cohorts", [cohort], apply="1", message="Geen begeleiding.")

    assert state_of(cohort) == CohortState.CANCELLED
    assert sorted(Message.objects.values_list("to_email", flat=True)) == sorted(
        s.email for s in [*students, waiting]
    )


def test_actions_also_run_from_a_cohorts_own_page(admin_client):
    cohort = cohort_in(CohortState.PLANNED)
    page = f"{COHORTS}{cohort.pk}/change/"

    confirm = admin_client.post(
        page, {"CHANGE_FORM-action": "open_cohorts", "_selected_action": [cohort.pk]}
    )
    assert 'name="CHANGE_FORM-action" value="open_cohorts"' in confirm.content.decode()
    opened = admin_client.post(
        page,
        {"CHANGE_FORM-action": "open_cohorts", "_selected_action": [cohort.pk], "apply": "1"},
    )
    assert (opened.status_code, opened.url) == (302, page)
    assert state_of(cohort) == CohortState.OPEN

    admin_client.post(
        page, {"CHANGE_FORM-action": "close_cohorts", "_selected_action": [cohort.pk]}
    )

    assert state_of(cohort) == CohortState.CLOSED


def staff_with_all_project_permissions():
    staff = PartnerMemberFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="projects"))
    return staff


@pytest.mark.parametrize(
    ("action", "source"),
    [
        ("open_cohorts", CohortState.PLANNED),
        ("close_cohorts", CohortState.OPEN),
        ("start_cohorts", CohortState.CLOSED),
        ("hand_over_cohorts", CohortState.RUNNING),
        ("complete_cohorts", CohortState.HANDOVER),
        ("cancel_cohorts", CohortState.RUNNING),
    ],
)
def test_staff_who_are_not_coordinators_cannot_run_actions(client, action, source):
    cohort = cohort_in(source)
    sign_in_for_admin(client, staff_with_all_project_permissions())

    client.post(
        COHORTS,
        {"action": action, "_selected_action": [cohort.pk], "apply": "1", "message": "Weg"},
    )

    assert state_of(cohort) == source
    assert CohortLogEntry.objects.count() == 0


def test_staff_who_are_not_coordinators_cannot_export_the_roster(client):
    cohort = cohort_in(CohortState.OPEN)
    EnrolmentFactory(cohort=cohort)
    sign_in_for_admin(client, staff_with_all_project_permissions())

    response = client.post(COHORTS, {"action": "export_roster", "_selected_action": [cohort.pk]})

    assert (response.status_code, response["Content-Type"]) == (403, "text/html; charset=utf-8")


def test_cohorts_cannot_be_deleted_in_bulk(admin_client):
    cohort_in(CohortState.PLANNED)

    choices = dict(admin_client.get(COHORTS).context["action_form"].fields["action"].choices)

    assert "delete_selected" not in choices
    assert set(choices) == {
        "",
        "open_cohorts",
        "close_cohorts",
        "start_cohorts",
        "hand_over_cohorts",
        "complete_cohorts",
        "cancel_cohorts",
        "merge_cohorts",
        "export_roster",
        "export_csv",
        "export_xlsx",
    }


# --- Roster -----------------------------------------------------------------------------------


def student(name: str, email: str, institution: str, programme: str):
    school = Institution.objects.filter(name=institution).first() or InstitutionFactory(
        name=institution
    )
    return StudentFactory(
        name=name, email=email, profile__institution=school, profile__programme=programme
    )


def test_roster_export_has_the_team_then_applications_then_the_waiting_list(admin_client):
    cohort = cohort_in(CohortState.OPEN, project__title="Taalcafé", number=1)
    other = cohort_in(CohortState.OPEN, project__title="Anders", number=1)
    base = aware(date(2026, 11, 2), 10)
    checked = aware(date(2026, 11, 20), 15)

    def enrol(person, state, hours, **fields):
        return EnrolmentFactory(
            cohort=cohort,
            student=person,
            state=state,
            queued_at=base + timedelta(hours=hours),
            **fields,
        )

    enrol(
        student("Wim Wacht", "wim@example.org", "mboRijnland", "Zorg"),
        EnrolmentState.WAITLISTED,
        1,
    )
    enrol(
        student("Anna de Wit", "anna@example.org", "Hogeschool Leiden", "Social Work"),
        EnrolmentState.MEMBER,
        2,
        vog_confirmed=True,
        vog_checked_at=checked,
    )
    enrol(
        student("=HYPERLINK(1)", "bram@example.org", "Universiteit Leiden", "Sociologie"),
        EnrolmentState.MEMBER,
        3,
        vog_confirmed=True,
    )
    enrol(
        student("Cas Aanvraag", "cas@example.org", "ID College", "Pedagogiek"),
        EnrolmentState.APPLIED,
        0,
    )
    enrol(
        student("Dewi Later", "dewi@example.org", "mboRijnland", "Zorg"),
        EnrolmentState.WAITLISTED,
        4,
    )
    enrol(
        student("Els Weg", "els@example.org", "mboRijnland", "Zorg"),
        EnrolmentState.WITHDRAWN,
        5,
    )
    EnrolmentFactory(cohort=other)

    response = admin_client.post(
        COHORTS, {"action": "export_roster", "_selected_action": [cohort.pk]}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="roster-taalcafe-1-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Group",
            "Name",
            "Email",
            "Institution",
            "Programme",
            "State",
            "Place on the waiting list",
            "VOG confirmed by student",
            "VOG checked on",
        ],
        [
            "Taalcafé · 1",
            "Anna de Wit",
            "anna@example.org",
            "Hogeschool Leiden",
            "Social Work",
            "Member",
            "",
            "yes",
            "2026-11-20",
        ],
        [
            "Taalcafé · 1",
            "'=HYPERLINK(1)",
            "bram@example.org",
            "Universiteit Leiden",
            "Sociologie",
            "Member",
            "",
            "yes",
            "",
        ],
        [
            "Taalcafé · 1",
            "Cas Aanvraag",
            "cas@example.org",
            "ID College",
            "Pedagogiek",
            "Applied",
            "",
            "no",
            "",
        ],
        [
            "Taalcafé · 1",
            "Wim Wacht",
            "wim@example.org",
            "mboRijnland",
            "Zorg",
            "On the waiting list",
            "1",
            "no",
            "",
        ],
        [
            "Taalcafé · 1",
            "Dewi Later",
            "dewi@example.org",
            "mboRijnland",
            "Zorg",
            "On the waiting list",
            "2",
            "no",
            "",
        ],
    ]


def test_roster_export_reads_the_whole_selection_in_a_fixed_number_of_queries(admin_client):
    cohorts = [cohort_in(CohortState.OPEN) for _ in range(3)]

    def export_queries():
        with CaptureQueriesContext(connection) as queries:
            admin_client.post(
                COHORTS,
                {"action": "export_roster", "_selected_action": [c.pk for c in cohorts]},
            )
        return len(queries)

    for cohort in cohorts:
        EnrolmentFactory(cohort=cohort)
    one_each = export_queries()
    for cohort in cohorts:
        EnrolmentFactory.create_batch(5, cohort=cohort)
        EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED)

    assert export_queries() == one_each


# --- VOG --------------------------------------------------------------------------------------


def test_mark_vog_checked_records_who_and_when_and_can_be_undone(admin_client, coordinator):
    cohort = cohort_in(CohortState.OPEN, project__works_with_vulnerable_residents=True)
    first, second = EnrolmentFactory.create_batch(2, cohort=cohort, vog_confirmed=True)

    done = admin_client.post(
        ENROLMENTS,
        {"action": "mark_vog_checked", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )

    assert shown(done) == ["2 students changed."]
    assert {
        (e.vog_checked_by_id, e.vog_checked_at is not None) for e in Enrolment.objects.all()
    } == {(coordinator.pk, True)}
    assert list(CohortLogEntry.objects.values_list("action", "data")) == [
        ("vog_checked", {"students": [first.student_id, second.student_id]})
    ]

    admin_client.post(ENROLMENTS, {"action": "undo_vog_check", "_selected_action": [first.pk]})

    assert Enrolment.objects.get(pk=first.pk).vog_checked_at is None
    assert Enrolment.objects.get(pk=second.pk).vog_checked_at is not None


def test_the_cohort_page_links_to_its_vog_checks(admin_client):
    cohort = cohort_in(CohortState.OPEN)
    EnrolmentFactory(cohort=cohort, vog_confirmed=True)

    page = admin_client.get(f"{COHORTS}{cohort.pk}/change/").content.decode()
    listed = admin_client.get(ENROLMENTS, {"cohort__id__exact": cohort.pk})

    assert f'href="{ENROLMENTS}?cohort__id__exact={cohort.pk}"' in page
    assert [e.cohort_id for e in listed.context["cl"].result_list] == [cohort.pk]


def test_staff_who_are_not_coordinators_cannot_mark_vog_checked(client):
    enrolment = EnrolmentFactory(vog_confirmed=True)
    sign_in_for_admin(client, staff_with_all_project_permissions())

    client.post(ENROLMENTS, {"action": "mark_vog_checked", "_selected_action": [enrolment.pk]})

    assert Enrolment.objects.get(pk=enrolment.pk).vog_checked_at is None


# --- Editing ----------------------------------------------------------------------------------


def test_more_places_on_an_open_cohort_move_the_waiting_list_up(admin_client):
    cohort = cohort_in(CohortState.OPEN, max_size=2)
    EnrolmentFactory.create_batch(2, cohort=cohort)
    waiting = EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED)
    page = admin_client.get(f"{COHORTS}{cohort.pk}/change/")
    data = admin_form_data(page.content.decode(), "cohort_form")
    data["max_size"] = ["3"]

    response = admin_client.post(f"{COHORTS}{cohort.pk}/change/", data)

    assert response.status_code == 302
    assert Cohort.objects.get(pk=cohort.pk).max_size == 3
    assert Enrolment.objects.get(pk=waiting.pk).state == EnrolmentState.MEMBER
    assert list(CohortLogEntry.objects.values_list("action", "data")) == [
        ("edit", {"changed": {"max_size": ["2", "3"]}})
    ]


def test_fewer_places_than_members_is_refused(admin_client):
    cohort = cohort_in(CohortState.OPEN, max_size=3)
    EnrolmentFactory.create_batch(3, cohort=cohort)
    page = admin_client.get(f"{COHORTS}{cohort.pk}/change/")
    data = admin_form_data(page.content.decode(), "cohort_form")
    data["max_size"] = ["2"]

    response = admin_client.post(f"{COHORTS}{cohort.pk}/change/", data)

    assert response.context["adminform"].form.errors == {
        "max_size": ["This group already has 3 members: it needs at least as many places."]
    }
    assert Cohort.objects.get(pk=cohort.pk).max_size == 3


def test_admission_can_only_change_while_planned(admin_client):
    cohort = cohort_in(CohortState.OPEN)
    page = admin_client.get(f"{COHORTS}{cohort.pk}/change/")
    form = page.context["adminform"].form

    assert "admission_mode" not in form.fields
    assert "max_size" in form.fields


def test_a_running_cohorts_dates_and_sizes_are_read_only(admin_client):
    cohort = cohort_in(CohortState.RUNNING)

    form = admin_client.get(f"{COHORTS}{cohort.pk}/change/").context["adminform"].form

    assert set(form.fields) == set()


def test_adding_a_cohort_in_the_admin_makes_it_planned_and_numbers_it(admin_client):
    project = project_of(organisation())
    cohort_in(CohortState.RUNNING, project=project, number=4)
    page = admin_client.get(f"{COHORTS}add/")
    data = admin_form_data(page.content.decode(), "cohort_form")
    data |= {
        "project": [str(project.pk)],
        "number": [""],
        "starts_on": ["2027-03-01"],
        "ends_on": ["2027-04-23"],
        "registration_opens_at_0": ["2027-01-11"],
        "registration_opens_at_1": ["09:00"],
        "registration_closes_at_0": ["2027-02-15"],
        "registration_closes_at_1": ["17:00"],
        "min_size": ["3"],
        "max_size": ["8"],
        "admission_mode": [AdmissionMode.APPLICATION],
    }

    response = admin_client.post(f"{COHORTS}add/", data)

    assert response.status_code == 302
    added = Cohort.objects.get(project=project, number=5)
    assert (added.state, added.admission_mode) == (CohortState.PLANNED, AdmissionMode.APPLICATION)


# --- Changelist -------------------------------------------------------------------------------


def make_cohorts(count: int) -> None:
    period = AcademicPeriodFactory(name="2026-2027 semester 2")
    for _ in range(count):
        cohort = cohort_in(CohortState.OPEN, period=period, max_size=2)
        EnrolmentFactory.create_batch(2, cohort=cohort)
        EnrolmentFactory(cohort=cohort, state=EnrolmentState.WAITLISTED)


def changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(COHORTS)
    assert response.status_code == 200
    return len(queries)


def test_cohort_changelist_runs_the_same_queries_for_1_and_30_cohorts(admin_client):
    make_cohorts(1)
    one = changelist_queries(admin_client)
    make_cohorts(29)
    thirty = changelist_queries(admin_client)

    assert one == thirty


def test_cohort_changelist_shows_team_and_waiting_list_and_filters(admin_client):
    period = AcademicPeriodFactory(name="2026-2027 semester 2")
    wanted = cohort_in(CohortState.OPEN, period=period, admission_mode=AdmissionMode.FIRST_COME)
    EnrolmentFactory.create_batch(2, cohort=wanted)
    EnrolmentFactory(cohort=wanted, state=EnrolmentState.WAITLISTED)
    cohort_in(CohortState.PLANNED, period=period, project=wanted.project)
    cohort_in(CohortState.OPEN, period=period, admission_mode=AdmissionMode.APPLICATION)
    cohort_in(CohortState.OPEN, project=wanted.project)

    response = admin_client.get(
        COHORTS,
        {
            "state__exact": "open",
            "admission_mode__exact": "first_come",
            "period__id__exact": period.pk,
            "project__id__exact": wanted.project_id,
        },
    )

    results = response.context["cl"].result_list
    assert [(c.pk, c.member_total, c.waiting_total) for c in results] == [(wanted.pk, 2, 1)]
