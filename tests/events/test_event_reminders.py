"""Meet & Match reminders: the day before, and before registration closes; each once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.enums import EventState, RegistrationState
from outbox.enums import ReminderKind
from outbox.models import Message, Reminder, ReminderPause
from outbox.reminders import reminders_send_due
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.integration


def subjects(person) -> list[str]:
    return sorted(Message.objects.filter(recipient=person).values_list("subject", flat=True))


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def test_participants_are_reminded_once_the_day_before(db, now):
    event = EventFactory(
        title="Meet & Match Eenzaamheid",
        starts_at=now + timedelta(hours=20),
        registration_deadline=now - timedelta(days=1),
        state=EventState.SCHEDULED,
    )
    going = RegistrationFactory(event=event, person__language="en")
    gone = RegistrationFactory(event=event, state=RegistrationState.CANCELLED)

    first = reminders_send_due(now=now)
    second = reminders_send_due(now=now + timedelta(minutes=5))

    day = timezone.localtime(event.starts_at).strftime("%A %-d %B")
    assert subjects(going.person) == [f"Reminder: Meet & Match Eenzaamheid on {day}"]
    assert subjects(gone.person) == []
    assert (first[ReminderKind.EVENT_SOON], second[ReminderKind.EVENT_SOON]) == (1, 0)
    assert list(Reminder.objects.values_list("kind", "subject", "recipient")) == [
        (ReminderKind.EVENT_SOON, f"event:{event.pk}", going.person.pk)
    ]


def test_events_further_away_or_cancelled_are_not_reminded(db, now):
    far = EventFactory(starts_at=now + timedelta(hours=30))
    cancelled = EventFactory(starts_at=now + timedelta(hours=5), state=EventState.CANCELLED)
    RegistrationFactory(event=far)
    RegistrationFactory(event=cancelled)

    reminders_send_due(now=now)

    assert Message.objects.count() == 0


def test_registered_people_are_reminded_before_the_deadline(db, now):
    event = EventFactory(
        title="Meet & Match Wonen",
        starts_at=now + timedelta(days=10),
        registration_deadline=now + timedelta(hours=40),
    )
    registration = RegistrationFactory(event=event, person__language="en")

    reminders_send_due(now=now)
    reminders_send_due(now=now + timedelta(hours=1))

    assert subjects(registration.person) == [
        "Last days to say whom you want to meet at Meet & Match Wonen"
    ]


def test_a_paused_kind_is_sent_when_the_pause_is_lifted(db, now, coordinator):
    event = EventFactory(starts_at=now + timedelta(hours=10), state=EventState.SCHEDULED)
    registration = RegistrationFactory(event=event)
    pause = ReminderPause.objects.create(kind=ReminderKind.EVENT_SOON, paused_by=coordinator)

    paused = reminders_send_due(now=now)
    pause.delete()
    resumed = reminders_send_due(now=now + timedelta(minutes=5))

    assert ReminderKind.EVENT_SOON not in paused
    assert resumed[ReminderKind.EVENT_SOON] == 1
    assert Message.objects.filter(recipient=registration.person).count() == 1
