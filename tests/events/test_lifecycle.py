"""The event state machine and edits: guards, log entries, SEQUENCE, and who gets mail."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from events.enums import EventState as S
from events.enums import RegistrationState as R
from events.models import Event, EventLogEntry, Registration
from events.services.errors import EventError
from events.services.lifecycle import EventAction, event_transition, event_update
from outbox.models import Message
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.challenge_setup import speaks_english

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

A = EventAction


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


def refused(message: str):
    return pytest.raises(EventError, match=re.escape(message))


def started_event(state):
    now = timezone.now()
    return EventFactory(
        state=state,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        registration_deadline=now - timedelta(days=2),
    )


def english_registration(**extra):
    return RegistrationFactory(person__language="en", **extra)


@pytest.mark.parametrize(
    ("action", "source", "target"),
    [
        (A.PUBLISH, S.DRAFT, S.PUBLISHED),
        (A.CLOSE_REGISTRATION, S.PUBLISHED, S.REGISTRATION_CLOSED),
    ],
)
def test_transition_moves_the_event_and_logs_who_did_it(coordinator, action, source, target):
    event = EventFactory(state=source)

    event_transition(event_id=event.pk, action=action, actor=coordinator)

    assert Event.objects.get().state == target
    assert list(
        EventLogEntry.objects.values_list("actor__email", "action", "from_state", "to_state")
    ) == [(coordinator.email, action.value, source.value, target.value)]


def test_hold_and_close_follow_a_started_scheduled_event(coordinator):
    event = started_event(S.SCHEDULED)

    event_transition(event_id=event.pk, action=A.HOLD, actor=coordinator)
    event_transition(event_id=event.pk, action=A.CLOSE, actor=coordinator)

    assert Event.objects.get().state == S.CLOSED
    assert list(EventLogEntry.objects.values_list("action", flat=True)) == ["hold", "close"]


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (A.PUBLISH, S.PUBLISHED),
        (A.CLOSE_REGISTRATION, S.DRAFT),
        (A.HOLD, S.REGISTRATION_CLOSED),
        (A.CLOSE, S.SCHEDULED),
        (A.CANCEL, S.HELD),
        (A.CANCEL, S.CANCELLED),
    ],
)
def test_transition_from_the_wrong_state_is_refused_and_changes_nothing(coordinator, action, state):
    event = started_event(state) if state == S.HELD else EventFactory(state=state)

    with refused("This cannot be done now: the Meet & Match is"):
        event_transition(event_id=event.pk, action=action, actor=coordinator, message="Sorry")

    assert (Event.objects.get().state, EventLogEntry.objects.count()) == (state, 0)


def test_hold_before_the_start_is_refused(coordinator):
    event = EventFactory(state=S.SCHEDULED)

    with refused("The Meet & Match has not started yet."):
        event_transition(event_id=event.pk, action=A.HOLD, actor=coordinator)

    assert Event.objects.get().state == S.SCHEDULED


def test_publish_after_the_deadline_is_refused(coordinator):
    event = EventFactory(state=S.DRAFT, registration_deadline=timezone.now() - timedelta(hours=1))

    with refused("The deadline to register has already passed. Change the dates first."):
        event_transition(event_id=event.pk, action=A.PUBLISH, actor=coordinator)


def test_transition_by_a_non_coordinator_is_refused(researcher):
    event = EventFactory(state=S.DRAFT)

    with refused("Only coordinators can do this."):
        event_transition(event_id=event.pk, action=A.PUBLISH, actor=researcher)

    assert Event.objects.get().state == S.DRAFT


def test_cancel_needs_a_message(coordinator):
    event = EventFactory()

    with pytest.raises(EventError) as error:
        event_transition(event_id=event.pk, action=A.CANCEL, actor=coordinator, message="  ")

    assert error.value.field == "message"
    assert Event.objects.get().state == S.PUBLISHED


def test_cancel_mails_everyone_registered_and_waiting_once_and_raises_the_sequence(coordinator):
    event = EventFactory(sequence=3, title="Najaarseditie")
    registered = english_registration(event=event)
    waiting = english_registration(event=event, state=R.WAITLISTED)
    english_registration(event=event, state=R.CANCELLED)

    event_transition(
        event_id=event.pk, action=A.CANCEL, actor=coordinator, message="De zaal is niet vrij."
    )

    event.refresh_from_db()
    assert (event.state, event.sequence) == (S.CANCELLED, 4)
    entry = EventLogEntry.objects.get()
    assert sorted(Message.objects.values_list("to_email", "subject", "dedupe_key")) == sorted(
        [
            (
                registered.person.email,
                "Najaarseditie does not go ahead",
                f"event-log:{entry.pk}:{registered.person_id}",
            ),
            (
                waiting.person.email,
                "Najaarseditie does not go ahead",
                f"event-log:{entry.pk}:{waiting.person_id}",
            ),
        ]
    )
    waiting_mail = Message.objects.get(to_email=waiting.person.email).body_text
    assert "You were on the waiting list, so your place on it ends too." in waiting_mail
    assert "De zaal is niet vrij." in waiting_mail
    # Registrations keep their state, so personal calendar feeds show the event cancelled.
    assert list(Registration.objects.order_by("pk").values_list("state", flat=True)) == [
        R.REGISTERED,
        R.WAITLISTED,
        R.CANCELLED,
    ]


# --- Changing an event --------------------------------------------------------------------------


def test_update_of_time_raises_the_sequence_and_mails_those_registered(coordinator):
    event = EventFactory(sequence=0, title="Najaarseditie")
    registered = english_registration(event=event)
    waiting = english_registration(event=event, state=R.WAITLISTED)
    english_registration(event=event, state=R.CANCELLED)
    later = event.starts_at + timedelta(hours=1)

    event_update(
        event_id=event.pk,
        actor=coordinator,
        changes={"starts_at": later, "ends_at": later + timedelta(hours=2)},
        message="Een uur later door de markt.",
    )

    event.refresh_from_db()
    assert (event.starts_at, event.sequence) == (later, 1)
    assert sorted(Message.objects.values_list("to_email", "subject")) == sorted(
        [
            (registered.person.email, "Najaarseditie has a new time or place"),
            (waiting.person.email, "Najaarseditie has a new time or place"),
        ]
    )
    assert "Een uur later door de markt." in Message.objects.first().body_text
    entry = EventLogEntry.objects.get()
    assert (entry.action, sorted(entry.data["changed"])) == ("edit", ["ends_at", "starts_at"])


def test_update_of_place_raises_the_sequence_and_mails(coordinator):
    event = EventFactory(sequence=2)
    english_registration(event=event)

    event_update(event_id=event.pk, actor=coordinator, changes={"venue": "Bibliotheek Noord"})

    assert Event.objects.get().sequence == 3
    assert Message.objects.count() == 1


def test_update_of_the_description_neither_mails_nor_raises_the_sequence(coordinator):
    event = EventFactory(sequence=2)
    english_registration(event=event)

    event_update(event_id=event.pk, actor=coordinator, changes={"description": "Nieuw."})

    assert (Event.objects.get().sequence, Message.objects.count()) == (2, 0)


def test_update_without_changes_writes_nothing(coordinator):
    event = EventFactory()

    event_update(event_id=event.pk, actor=coordinator, changes={"capacity": event.capacity})

    assert EventLogEntry.objects.count() == 0


def test_update_with_more_places_promotes_the_waiting_list_in_order(coordinator):
    event = EventFactory(capacity=1)
    placed = english_registration(event=event)
    first = english_registration(event=event, state=R.WAITLISTED)
    second = english_registration(event=event, state=R.WAITLISTED)

    event_update(event_id=event.pk, actor=coordinator, changes={"capacity": 2})

    assert dict(Registration.objects.values_list("pk", "state")) == {
        placed.pk: R.REGISTERED,
        first.pk: R.REGISTERED,
        second.pk: R.WAITLISTED,
    }
    assert list(Message.objects.values_list("to_email", flat=True)) == [first.person.email]


def test_update_with_fewer_places_than_registered_is_refused(coordinator):
    event = EventFactory(capacity=3)
    RegistrationFactory.create_batch(2, event=event)

    with pytest.raises(EventError) as error:
        event_update(event_id=event.pk, actor=coordinator, changes={"capacity": 1})

    assert error.value.field == "capacity"
    assert Event.objects.get().capacity == 3


def test_update_with_an_end_before_the_start_is_refused_on_that_field(coordinator):
    event = EventFactory()

    with pytest.raises(EventError) as error:
        event_update(
            event_id=event.pk,
            actor=coordinator,
            changes={"ends_at": event.starts_at - timedelta(minutes=1)},
        )

    assert (str(error.value), error.value.field) == ("The end must be after the start.", "ends_at")


def test_update_of_a_held_event_is_refused(coordinator):
    event = started_event(S.HELD)

    with refused("A Meet & Match that is held can no longer change."):
        event_update(event_id=event.pk, actor=coordinator, changes={"venue": "Elders"})


def test_update_by_a_non_coordinator_is_refused(researcher):
    event = EventFactory()

    with refused("Only coordinators can do this."):
        event_update(event_id=event.pk, actor=researcher, changes={"venue": "Elders"})
