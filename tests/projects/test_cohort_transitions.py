import re
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from outbox.models import Message
from projects.enums import CohortState as S
from projects.enums import EnrolmentState
from projects.models import Cohort, CohortLogEntry
from projects.services.cohorts import TRANSITIONS, allowed_actions, cohort_transition
from projects.services.cohorts import CohortAction as A
from projects.services.errors import CohortBudgetError, CohortError
from tests.factories import CoordinatorFactory, PartnerMemberFactory
from tests.partners.challenge_setup import speaks_english
from tests.projects.cohort_factories import cohort_in, neighbourhood, organisation, project_of
from tests.projects.factories import EnrolmentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# Every (action, from state) the cohort workflow allows, and where it leads.
ALLOWED = {
    (A.OPEN, S.PLANNED): S.OPEN,
    (A.CLOSE, S.OPEN): S.CLOSED,
    (A.START, S.CLOSED): S.RUNNING,
    (A.HAND_OVER, S.RUNNING): S.HANDOVER,
    (A.COMPLETE, S.HANDOVER): S.COMPLETED,
    (A.CANCEL, S.PLANNED): S.CANCELLED,
    (A.CANCEL, S.OPEN): S.CANCELLED,
    (A.CANCEL, S.CLOSED): S.CANCELLED,
    (A.CANCEL, S.RUNNING): S.CANCELLED,
}
MARCH = {"starts_on": date(2027, 3, 1), "ends_on": date(2027, 4, 23)}


@pytest.fixture(autouse=True)
def _english():
    # The rules and the exact refusals are compared in English, the language of our msgids.
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


def test_the_table_above_is_the_workflow():
    assert {(action, source) for action, t in TRANSITIONS.items() for source in t.sources} == set(
        ALLOWED
    )


@pytest.mark.parametrize(("action", "source"), sorted(ALLOWED, key=str))
def test_transition_allowed_moves_state_and_logs(action, source, coordinator):
    cohort = cohort_in(source)
    now = timezone.now()

    result = cohort_transition(
        cohort_id=cohort.pk, action=action, actor=coordinator, message="Te weinig plek", now=now
    )

    cohort.refresh_from_db()
    assert result.state == cohort.state == ALLOWED[(action, source)]
    assert cohort.state_changed_at == now
    entries = list(
        CohortLogEntry.objects.values_list("action", "from_state", "to_state", "actor", "message")
    )
    assert entries == [(action, source, cohort.state, coordinator.pk, "Te weinig plek")]
    # Closing an empty group (below its minimum of 2) asks the coordinators to decide.
    expected = [coordinator.email] if action == A.CLOSE else []
    assert list(Message.objects.values_list("to_email", flat=True)) == expected


@pytest.mark.parametrize(
    ("action", "source"),
    [(action, source) for action in TRANSITIONS for source in S if (action, source) not in ALLOWED],
)
def test_transition_refused_from_other_states_changes_nothing(action, source, coordinator):
    cohort = cohort_in(source)
    before = cohort.state_changed_at

    with pytest.raises(CohortError) as error:
        cohort_transition(
            cohort_id=cohort.pk, action=action, actor=coordinator, message="Te weinig plek"
        )

    cohort.refresh_from_db()
    assert str(error.value) == (
        f"This cannot be done now: the group is {cohort.get_state_display()}."
    )
    assert (cohort.state, cohort.state_changed_at) == (source, before)
    assert CohortLogEntry.objects.count() == 0
    assert Message.objects.count() == 0


@pytest.mark.parametrize("source", list(S))
def test_allowed_actions_match_the_workflow(source):
    cohort = Cohort(state=source)

    assert set(allowed_actions(cohort)) == {a for (a, s) in ALLOWED if s == source}


def test_only_coordinators_move_cohorts(partner_member):
    staff = PartnerMemberFactory(is_staff=True)
    cohort = cohort_in(S.PLANNED)

    for person in (partner_member, staff):
        with pytest.raises(CohortError, match=re.escape("Only coordinators can do this.")):
            cohort_transition(cohort_id=cohort.pk, action=A.OPEN, actor=person)

    assert Cohort.objects.get(pk=cohort.pk).state == S.PLANNED


def test_cancel_needs_a_message_for_the_students(coordinator):
    cohort = cohort_in(S.OPEN)

    with pytest.raises(
        CohortError,
        match=re.escape("Write a short message to the students: it is required here."),
    ):
        cohort_transition(cohort_id=cohort.pk, action=A.CANCEL, actor=coordinator, message="  ")

    assert Cohort.objects.get(pk=cohort.pk).state == S.OPEN


def test_unknown_action_is_refused(coordinator):
    cohort = cohort_in(S.PLANNED)

    with pytest.raises(CohortError, match=re.escape("This action does not exist.")):
        cohort_transition(cohort_id=cohort.pk, action="merge", actor=coordinator)


def test_open_is_refused_when_registration_would_already_be_over(coordinator):
    past = timezone.now() - timedelta(days=1)
    cohort = cohort_in(
        S.PLANNED, registration_opens_at=past - timedelta(days=7), registration_closes_at=past
    )

    with pytest.raises(CohortError) as error:
        cohort_transition(cohort_id=cohort.pk, action=A.OPEN, actor=coordinator)

    assert str(error.value) == (
        "Registration for this group would already be over. Change its dates first."
    )


# --- Budgets ----------------------------------------------------------------------------------


def test_open_beyond_a_partners_budget_needs_a_reason(coordinator):
    library = organisation(budget=1, name="Bibliotheek Noord")
    cohort_in(S.RUNNING, project=project_of(library))
    cohort_in(S.COMPLETED, project=project_of(library))  # hosts nobody any more
    planned = cohort_in(S.PLANNED, project=project_of(library))

    with pytest.raises(CohortBudgetError) as error:
        cohort_transition(cohort_id=planned.pk, action=A.OPEN, actor=coordinator)

    assert str(error.value) == (
        "Opening goes over a budget (Bibliotheek Noord: 2/1). Give a reason to open anyway."
    )
    assert error.value.over == ["Bibliotheek Noord: 2/1"]
    assert Cohort.objects.get(pk=planned.pk).state == S.PLANNED
    assert CohortLogEntry.objects.count() == 0


def test_open_beyond_budget_with_a_reason_opens_and_logs_the_override(coordinator):
    library = organisation(budget=1, name="Bibliotheek Noord")
    cohort_in(S.OPEN, project=project_of(library))
    planned = cohort_in(S.PLANNED, project=project_of(library))

    cohort_transition(
        cohort_id=planned.pk,
        action=A.OPEN,
        actor=coordinator,
        override_reason="  Extra begeleider dit semester ",
    )

    assert Cohort.objects.get(pk=planned.pk).state == S.OPEN
    assert list(
        CohortLogEntry.objects.filter(cohort=planned).values_list(
            "action", "from_state", "to_state", "message", "data"
        )
    ) == [
        (A.OPEN, S.PLANNED, S.OPEN, "", {}),
        (
            A.BUDGET_OVERRIDE,
            S.PLANNED,
            S.OPEN,
            "Extra begeleider dit semester",
            {"over": ["Bibliotheek Noord: 2/1"]},
        ),
    ]


def test_open_within_budget_logs_no_override(coordinator):
    library = organisation(budget=2)
    cohort_in(S.HANDOVER, project=project_of(library))
    planned = cohort_in(S.PLANNED, project=project_of(library))

    cohort_transition(
        cohort_id=planned.pk, action=A.OPEN, actor=coordinator, override_reason="Niet nodig"
    )

    assert list(CohortLogEntry.objects.values_list("action", flat=True)) == [A.OPEN]


def test_open_beyond_a_neighbourhoods_contact_budget_needs_a_reason(coordinator):
    kooi = neighbourhood(budget=10, name="De Kooi")
    cohort_in(
        S.RUNNING,
        project=project_of(organisation(budget=5), contacts=6, neighbourhood=kooi),
        **MARCH,
    )
    planned = cohort_in(
        S.PLANNED,
        project=project_of(organisation(budget=5), contacts=6, neighbourhood=kooi),
        **MARCH,
    )

    with pytest.raises(CohortBudgetError) as error:
        cohort_transition(cohort_id=planned.pk, action=A.OPEN, actor=coordinator)

    assert error.value.over == ["De Kooi 03-2027: 12/10", "De Kooi 04-2027: 12/10"]


# --- Mails ------------------------------------------------------------------------------------


def test_closing_below_the_minimum_mails_every_coordinator(coordinator):
    other = speaks_english(CoordinatorFactory(email="kees@lerenmetdestad.nl"))
    cohort = cohort_in(S.OPEN, min_size=3, project__title="Ouderen ontmoeten elkaar", number=2)
    EnrolmentFactory.create_batch(2, cohort=cohort, state=EnrolmentState.MEMBER)
    EnrolmentFactory(cohort=cohort, state=EnrolmentState.WITHDRAWN)

    cohort_transition(cohort_id=cohort.pk, action=A.CLOSE, actor=coordinator)

    entry = CohortLogEntry.objects.get()
    assert entry.data == {"members": 2, "min_size": 3}
    mails = list(
        Message.objects.order_by("to_email").values_list("to_email", "subject", "dedupe_key")
    )
    assert mails == [
        (
            coordinator.email,
            "Group 2 of Ouderen ontmoeten elkaar is below its minimum",
            f"cohort-log:{entry.pk}:{coordinator.pk}",
        ),
        (
            other.email,
            "Group 2 of Ouderen ontmoeten elkaar is below its minimum",
            f"cohort-log:{entry.pk}:{other.pk}",
        ),
    ]
    body = Message.objects.first().body_text
    assert (
        "Registration for group 2 of Ouderen ontmoeten elkaar has closed with 2 students. "
        "The group needs at least 3." in body
    )
    assert "run anyway, merge it with another group, or cancel it" in body


def test_closing_at_the_minimum_mails_nobody(coordinator):
    cohort = cohort_in(S.OPEN, min_size=2)
    EnrolmentFactory.create_batch(2, cohort=cohort, state=EnrolmentState.MEMBER)

    cohort_transition(cohort_id=cohort.pk, action=A.CLOSE, actor=coordinator)

    assert Message.objects.count() == 0


def test_cancel_mails_each_enrolled_applied_or_waiting_student_once(coordinator):
    cohort = cohort_in(S.OPEN, project__title="Voorlezen in de wijk")
    kept = [
        EnrolmentFactory(cohort=cohort, state=state)
        for state in (
            EnrolmentState.MEMBER,
            EnrolmentState.MEMBER,
            EnrolmentState.WAITLISTED,
            EnrolmentState.APPLIED,
        )
    ]
    for state in (EnrolmentState.WITHDRAWN, EnrolmentState.REJECTED):
        EnrolmentFactory(cohort=cohort, state=state)
    for enrolment in kept:
        speaks_english(enrolment.student)

    cohort_transition(
        cohort_id=cohort.pk,
        action=A.CANCEL,
        actor=coordinator,
        message="De organisatie kan de groep niet begeleiden.",
    )

    entry = CohortLogEntry.objects.get()
    assert sorted(Message.objects.values_list("to_email", "dedupe_key")) == sorted(
        (e.student.email, f"cohort-log:{entry.pk}:{e.student.pk}") for e in kept
    )
    waiting = Message.objects.get(to_email=kept[2].student.email)
    assert waiting.subject == "Voorlezen in de wijk does not go ahead"
    assert "You were on the waiting list, so your place on it ends too." in waiting.body_text
    assert "De organisatie kan de groep niet begeleiden." in waiting.body_text


def test_cancel_mails_are_queued_once_even_if_asked_twice(coordinator):
    from projects.services.cohorts import _notify_cancelled  # noqa: PLC0415

    cohort = cohort_in(S.RUNNING)
    EnrolmentFactory.create_batch(3, cohort=cohort, state=EnrolmentState.MEMBER)
    cohort_transition(cohort_id=cohort.pk, action=A.CANCEL, actor=coordinator, message="Sorry")
    entry = CohortLogEntry.objects.get()

    again = _notify_cancelled(cohort=Cohort.objects.get(pk=cohort.pk), entry=entry)

    assert again == 0
    assert Message.objects.count() == 3
