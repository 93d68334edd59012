"""Saving, building and publishing a schedule: the rules schedule_save holds for the matching
engine and for coordinators alike, and the mails on publication."""

import subprocess
import sys
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from events.enums import EventState, RegistrationState, RoleAtEvent
from events.models import Event, Meeting, MeetingSeat
from events.schedule_input import (
    ProposedMeeting,
    ScheduleProblem,
    ScheduleProposal,
    schedule_problem,
)
from events.services.errors import EventError
from events.services.schedule import (
    ScheduleError,
    register_schedule_builder,
    schedule_build,
    schedule_builder,
    schedule_publish,
    schedule_save,
)
from outbox.models import Message
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import PartnerMemberFactory, ResearcherFactory, ThemeFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NAMES = ["Anna Aalbers", "Bram Bos", "Carla Claes", "Dirk Dekker", "Eva Elst", "Femke Fris"]


@pytest.fixture(autouse=True)
def _english():
    # Refusals are compared in English, the language of our msgids.
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(coordinator):
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    return coordinator


@pytest.fixture
def no_builder():
    """Whatever builder the process has, none during the test; put back afterwards."""
    before = schedule_builder()
    register_schedule_builder(None)
    yield
    register_schedule_builder(before)


def closed_event(people: int = 4, **fields) -> tuple[Event, list]:
    """An event whose registration has closed, two rounds of two tables for two, and people
    named after NAMES in order. Their language is English, so mails compare in English."""
    values = {
        "state": EventState.REGISTRATION_CLOSED,
        "rounds": 2,
        "tables": 2,
        "seats_per_table": 2,
        "minutes_per_round": 15,
    }
    event = EventFactory(**(values | fields))
    event.first_round_at = event.starts_at + timedelta(minutes=30)
    event.save(update_fields=["first_round_at"])
    registrations = [
        RegistrationFactory(
            event=event, person=ResearcherFactory(name=name, language="en"), brings=f"{name} brengt"
        )
        for name in NAMES[:people]
    ]
    return event, registrations


def meeting(r: int, t: int, *people, reason: str = "", score: float = 0.0) -> ProposedMeeting:
    return ProposedMeeting(
        round=r, table=t, participant_ids=[p.pk for p in people], reason=reason, score=score
    )


def four_way(a, b, c, d) -> ScheduleProposal:
    """Everyone meets two others over two rounds."""
    return ScheduleProposal.of(
        [
            meeting(1, 1, a, b, reason="Both work on loneliness."),
            meeting(1, 2, c, d),
            meeting(2, 1, a, c),
            meeting(2, 2, b, d),
        ]
    )


def stored(event) -> list[tuple[int, int, list[str]]]:
    return [
        (m.round, m.table, sorted(s.registration.person.name for s in m.seats.all()))
        for m in Meeting.objects.filter(event=event)
        .order_by("round", "table")
        .prefetch_related("seats__registration__person")
    ]


def faults(error: ScheduleError) -> list[tuple[str, int | None, int | None]]:
    return [(f.message, f.round, f.table) for f in error.faults]


# --- schedule_save ----------------------------------------------------------------------


def test_save_stores_a_valid_schedule_and_logs_it(coordinator):
    event, (a, b, c, d) = closed_event()

    entry = schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)

    assert stored(event) == [
        (1, 1, ["Anna Aalbers", "Bram Bos"]),
        (1, 2, ["Carla Claes", "Dirk Dekker"]),
        (2, 1, ["Anna Aalbers", "Carla Claes"]),
        (2, 2, ["Bram Bos", "Dirk Dekker"]),
    ]
    assert Meeting.objects.get(event=event, round=1, table=1).reason == "Both work on loneliness."
    assert list(
        MeetingSeat.objects.filter(registration=a).order_by("round").values_list("round", flat=True)
    ) == [1, 2]
    assert (entry.action, entry.actor, entry.data) == (
        "schedule_save",
        coordinator,
        {"meetings": 4, "seats": 8, "people": 4, "source": "hand"},
    )
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED
    assert Message.objects.count() == 0  # nothing is mailed before publication


def test_save_replaces_the_previous_schedule(coordinator):
    event, (a, b, c, d) = closed_event()
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)

    schedule_save(
        event_id=event.pk,
        proposal=ScheduleProposal.of([meeting(1, 2, a, d), meeting(2, 1, b, c)]),
        actor=coordinator,
    )

    assert stored(event) == [
        (1, 2, ["Anna Aalbers", "Dirk Dekker"]),
        (2, 1, ["Bram Bos", "Carla Claes"]),
    ]
    assert MeetingSeat.objects.filter(meeting__event=event).count() == 4


def test_save_refuses_someone_twice_in_a_round(coordinator):
    event, (a, b, c, _d) = closed_event()

    with pytest.raises(ScheduleError) as refused:
        schedule_save(
            event_id=event.pk,
            proposal=ScheduleProposal.of([meeting(1, 1, a, b), meeting(1, 2, a, c)]),
            actor=coordinator,
        )

    assert faults(refused.value) == [
        ("Anna Aalbers sits twice in round 1: at table 1 and at table 2.", 1, 2)
    ]
    assert stored(event) == []


def test_database_refuses_a_double_booking_on_its_own(coordinator):
    event, (a, b, c, _d) = closed_event()
    schedule_save(
        event_id=event.pk,
        proposal=ScheduleProposal.of([meeting(1, 1, a, b), meeting(1, 2, c, _d)]),
        actor=coordinator,
    )
    other_table = Meeting.objects.get(event=event, round=1, table=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSeat.objects.create(meeting=other_table, registration=a, round=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSeat.objects.create(meeting=other_table, registration=c, round=1)


def test_save_refuses_an_overfull_table_and_a_table_for_one(coordinator):
    event, (a, b, c, d) = closed_event()

    with pytest.raises(ScheduleError) as refused:
        schedule_save(
            event_id=event.pk,
            proposal=ScheduleProposal.of([meeting(1, 1, a, b, c), meeting(1, 2, d)]),
            actor=coordinator,
        )

    assert faults(refused.value) == [
        ("Table 1 in round 1 has 3 people; a table has 2 seats.", 1, 1),
        ("Table 2 in round 1 needs at least two people.", 1, 2),
    ]


def test_save_refuses_people_who_are_not_registered(coordinator):
    event, (a, b, c, _d) = closed_event()
    c.state = RegistrationState.CANCELLED
    c.save(update_fields=["state"])
    elsewhere = RegistrationFactory()

    with pytest.raises(ScheduleError) as refused:
        schedule_save(
            event_id=event.pk,
            proposal=ScheduleProposal.of([meeting(1, 1, a, c), meeting(1, 2, b, elsewhere)]),
            actor=coordinator,
        )

    assert faults(refused.value) == [
        (f"Registration {c.pk} at table 1 in round 1 is not registered for this event.", 1, 1),
        (
            f"Registration {elsewhere.pk} at table 2 in round 1 is not registered for this event.",
            1,
            2,
        ),
    ]


def test_save_refuses_a_rather_not_pair_either_way_round(coordinator):
    event, (a, b, c, d) = closed_event()
    b.rather_not_meet.add(a)

    with pytest.raises(ScheduleError) as refused:
        schedule_save(
            event_id=event.pk,
            proposal=ScheduleProposal.of([meeting(1, 1, a, b), meeting(1, 2, c, d)]),
            actor=coordinator,
        )

    assert faults(refused.value) == [
        (
            (
                "Anna Aalbers and Bram Bos are at table 1 in round 1, but one of them would "
                "rather not meet the other."
            ),
            1,
            1,
        )
    ]


def test_save_refuses_rounds_and_tables_outside_the_set_up(coordinator):
    event, (a, b, c, d) = closed_event()

    with pytest.raises(ScheduleError) as refused:
        schedule_save(
            event_id=event.pk,
            proposal=ScheduleProposal.of(
                [meeting(3, 1, a, b), meeting(1, 3, c, d), meeting(0, 0, a, d)]
            ),
            actor=coordinator,
        )

    assert faults(refused.value) == [
        ("Round 0 does not exist: this event has 2 rounds.", 0, 0),
        ("Table 0 does not exist: this event has 2 tables.", 0, 0),
        ("Table 3 does not exist: this event has 2 tables.", 1, 3),
        ("Round 3 does not exist: this event has 2 rounds.", 3, 1),
    ]


def test_save_refuses_one_table_twice_and_an_empty_schedule(coordinator):
    event, (a, b, c, d) = closed_event()

    with pytest.raises(ScheduleError) as twice:
        schedule_save(
            event_id=event.pk,
            proposal=ScheduleProposal.of([meeting(1, 1, a, b), meeting(1, 1, c, d)]),
            actor=coordinator,
        )
    with pytest.raises(ScheduleError) as empty:
        schedule_save(event_id=event.pk, proposal=ScheduleProposal(), actor=coordinator)

    assert faults(twice.value) == [("Table 1 appears twice in round 1.", 1, 1)]
    assert faults(empty.value) == [("The schedule has no meetings yet.", None, None)]


def test_save_is_for_coordinators_and_for_events_waiting_for_a_schedule(coordinator):
    event, (a, b, c, d) = closed_event(state=EventState.PUBLISHED)
    staff = PartnerMemberFactory(is_staff=True)

    with pytest.raises(EventError) as not_coordinator:
        schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=staff)
    with pytest.raises(EventError) as still_open:
        schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)

    assert str(not_coordinator.value) == "Only coordinators can do this."
    assert str(still_open.value) == (
        "The schedule cannot be changed now: the event is Open for registration."
    )
    assert stored(event) == []


def test_save_after_the_event_is_refused(coordinator):
    event, (a, b, c, d) = closed_event()

    with pytest.raises(EventError) as over:
        schedule_save(
            event_id=event.pk,
            proposal=four_way(a, b, c, d),
            actor=coordinator,
            now=event.ends_at + timedelta(minutes=1),
        )

    assert str(over.value) == "The event is over, so its schedule can no longer change."


# --- schedule_publish -------------------------------------------------------------------


def test_publish_mails_each_seated_person_once_and_raises_the_sequence(coordinator):
    event, (a, b, c, d, _eva) = closed_event(people=5)  # Eva has no seat
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    now = timezone.now()

    # Published from a Dutch page; each mail still speaks its recipient's language.
    with translation.override("nl"):
        entry = schedule_publish(event_id=event.pk, actor=coordinator, now=now)

    event.refresh_from_db()
    assert (event.state, event.schedule_published_at, event.sequence) == (
        EventState.SCHEDULED,
        now,
        1,
    )
    assert (entry.action, entry.from_state, entry.to_state) == (
        "schedule_publish",
        EventState.REGISTRATION_CLOSED,
        EventState.SCHEDULED,
    )
    mails = Message.objects.filter(kind="event_updates").order_by("to_email")
    assert sorted(m.recipient.name for m in mails) == NAMES[:4]
    assert {m.dedupe_key for m in mails} == {
        f"event-log:{entry.pk}:{r.person_id}" for r in (a, b, c, d)
    }
    anna = mails.get(recipient=a.person)
    assert anna.subject == f"Your schedule for {event.title}"
    start = event.first_round_at.astimezone(AMSTERDAM)
    second = start + timedelta(minutes=15)
    assert (
        f"Round 1, {start:%H:%M}-{second:%H:%M}, table 1\n"
        "- Bram Bos (Researcher): Bram Bos brengt\n"
        "Why you meet: Both work on loneliness.\n"
    ) in anna.body_text
    assert (
        f"Round 2, {second:%H:%M}-{second + timedelta(minutes=15):%H:%M}, table 1\n"
        "- Carla Claes (Researcher): Carla Claes brengt\n"
    ) in anna.body_text
    assert f"/meet-and-match/{event.slug}/mijn-rooster/" in anna.body_text


def test_publish_twice_is_refused_and_mails_nobody_again(coordinator):
    event, people = closed_event()
    schedule_save(event_id=event.pk, proposal=four_way(*people), actor=coordinator)
    schedule_publish(event_id=event.pk, actor=coordinator)

    with pytest.raises(EventError) as again:
        schedule_publish(event_id=event.pk, actor=coordinator)

    assert str(again.value) == (
        "The schedule can be published when registration is closed; the event is "
        "Schedule published."
    )
    assert Message.objects.count() == 4
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_publish_without_a_schedule_is_refused(coordinator):
    event, _people = closed_event()

    with pytest.raises(EventError) as refused:
        schedule_publish(event_id=event.pk, actor=coordinator)

    assert str(refused.value) == "There is no schedule to publish yet. Build or make one first."
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED


def test_changing_a_published_schedule_mails_only_those_whose_schedule_changed(coordinator):
    event, (a, b, c, d) = closed_event()
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    schedule_publish(event_id=event.pk, actor=coordinator)

    # Round 2 swaps: Anna now meets Dirk, Bram meets Carla; round 1 stays as it was.
    entry = schedule_save(
        event_id=event.pk,
        proposal=ScheduleProposal.of(
            [meeting(1, 1, a, b), meeting(1, 2, c, d), meeting(2, 1, a, d), meeting(2, 2, b, c)]
        ),
        actor=coordinator,
    )

    assert entry.action == "schedule_change"
    assert Event.objects.get(pk=event.pk).sequence == 2
    changed = Message.objects.filter(dedupe_key__startswith=f"event-log:{entry.pk}:")
    assert sorted(m.recipient.name for m in changed) == NAMES[:4]
    assert changed.get(recipient=a.person).subject == (
        f"Your schedule for {event.title} has changed"
    )

    # Bram and Carla lose their round 2 meeting; Anna and Dirk keep theirs: two mails.
    again = schedule_save(
        event_id=event.pk,
        proposal=ScheduleProposal.of(
            [meeting(1, 1, a, b), meeting(1, 2, c, d), meeting(2, 1, a, d)]
        ),
        actor=coordinator,
    )
    mails = Message.objects.filter(dedupe_key__startswith=f"event-log:{again.pk}:")
    assert sorted(m.recipient.name for m in mails) == ["Bram Bos", "Carla Claes"]
    assert again.data["changed_for"] == sorted([b.pk, c.pk])
    assert Event.objects.get(pk=event.pk).sequence == 3


# --- The builder registry ---------------------------------------------------------------


def test_build_without_a_builder_says_to_make_the_schedule_by_hand(coordinator, no_builder):
    event, _people = closed_event()

    with pytest.raises(EventError) as refused:
        schedule_build(event_id=event.pk, actor=coordinator)

    assert str(refused.value) == (
        "The planner comes with the matching module. Make the schedule by hand for now."
    )
    assert stored(event) == []


def pair_in_order(problem: ScheduleProblem) -> ScheduleProposal:
    """A deterministic builder for tests only: neighbours in registration order, round 1."""
    ids = [p.id for p in problem.participants]
    return ScheduleProposal.of(
        ProposedMeeting(round=1, table=n + 1, participant_ids=ids[2 * n : 2 * n + 2], reason="test")
        for n in range(len(ids) // 2)
    )


def test_build_saves_what_the_registered_builder_proposes(coordinator, no_builder):
    event, _people = closed_event()
    register_schedule_builder(pair_in_order)

    entry = schedule_build(event_id=event.pk, actor=coordinator)

    assert stored(event) == [
        (1, 1, ["Anna Aalbers", "Bram Bos"]),
        (1, 2, ["Carla Claes", "Dirk Dekker"]),
    ]
    assert entry.data["source"] == f"{__name__}.pair_in_order"


def test_build_refuses_a_builder_that_breaks_the_rules(coordinator, no_builder):
    event, _people = closed_event()
    register_schedule_builder(
        lambda problem: ScheduleProposal.of(
            [ProposedMeeting(1, 1, [p.id for p in problem.participants])]
        )
    )

    with pytest.raises(ScheduleError) as refused:
        schedule_build(event_id=event.pk, actor=coordinator)

    assert faults(refused.value) == [
        ("Table 1 in round 1 has 4 people; a table has 2 seats.", 1, 1)
    ]
    assert stored(event) == []


# --- The problem the engine reads -------------------------------------------------------


def test_schedule_problem_holds_the_registered_people_and_their_wishes(django_assert_num_queries):
    theme = ThemeFactory(name="Eenzaamheid")
    event, (a, b, c, d) = closed_event(people=4, rounds=3, tables=5, seats_per_table=3)
    event.themes.set([theme])
    a.themes.set([theme])
    a.wants_to_meet.add(b)
    b.wants_to_meet.add(a)
    c.rather_not_meet.add(d)
    b.rather_not_meet.add(c)
    d.state = RegistrationState.CANCELLED
    d.save(update_fields=["state"])
    a.wants_to_meet.add(d)  # no longer registered: left out
    c.role_at_event = RoleAtEvent.PRACTITIONER
    c.save(update_fields=["role_at_event"])
    event = Event.objects.get(pk=event.pk)

    with django_assert_num_queries(6):
        problem = schedule_problem(event)

    assert (problem.event_id, problem.rounds, problem.tables, problem.seats_per_table) == (
        event.pk,
        3,
        5,
        3,
    )
    assert [
        (p.id, p.name, p.role, p.theme_ids, p.wants, p.rather_not) for p in problem.participants
    ] == [
        (a.pk, "Anna Aalbers", "researcher", frozenset({theme.pk}), frozenset({b.pk}), frozenset()),
        (b.pk, "Bram Bos", "researcher", frozenset(), frozenset({a.pk}), frozenset({c.pk})),
        (c.pk, "Carla Claes", "practitioner", frozenset(), frozenset(), frozenset()),
    ]
    assert problem.participants[0].brings == "Anna Aalbers brengt"
    assert problem.mutual_wishes() == frozenset({frozenset({a.pk, b.pk})})
    assert problem.rather_not_pairs() == frozenset({frozenset({b.pk, c.pk})})
    assert problem.event_theme_ids == frozenset({theme.pk})
    assert [(t.id, t.name) for t in problem.themes] == [(theme.pk, "Eenzaamheid")]


def test_schedule_problem_costs_the_same_queries_for_many_people(django_assert_num_queries):
    event, _people = closed_event(people=6)
    for registration in _people:
        registration.themes.set([ThemeFactory()])
        registration.wants_to_meet.set([r for r in _people if r != registration][:2])

    event = Event.objects.get(pk=event.pk)

    with django_assert_num_queries(6):
        problem = schedule_problem(event)

    assert len(problem.participants) == 6


@pytest.mark.unit
def test_schedule_input_imports_without_django():
    # The engine's core may use these types without Django (issue 6); prove the import stays
    # free of it in a clean interpreter.
    code = (
        "import sys; import events.schedule_input as s; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'));"
        "print(s.ScheduleProposal.of([s.ProposedMeeting(1, 1, [1, 2])]))"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd="."
    )

    assert (result.returncode, result.stderr) == (0, "")
    assert "participant_ids=(1, 2)" in result.stdout


def test_publish_is_refused_while_someone_seated_has_cancelled(coordinator):
    event, (a, b, c, d) = closed_event()
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    c.state = RegistrationState.CANCELLED
    c.save(update_fields=["state"])

    with pytest.raises(EventError) as refused:
        schedule_publish(event_id=event.pk, actor=coordinator)

    assert str(refused.value) == (
        "Carla Claes cancelled after the schedule was made. Change the schedule first."
    )
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED
    assert Message.objects.count() == 0
