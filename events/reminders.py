"""What Meet & Match reminds people of: the event the day before, and its registration deadline.

Registered with outbox.reminders from EventsConfig.ready(); each source returns what is due
now, sent or not, and the sent-log makes each go out once.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from events.enums import TAKING_PART, EventState
from events.models import Registration
from outbox.enums import MessageKind, ReminderKind
from outbox.reminders import Due, register_reminder_source

# Events that still take place.
UPCOMING_STATES = (EventState.PUBLISHED, EventState.REGISTRATION_CLOSED, EventState.SCHEDULED)


def event_soon(now: datetime) -> Iterator[Due]:
    """Everyone taking part, once the event is less than REMINDER_EVENT_BEFORE_HOURS away."""
    ahead = now + timedelta(hours=settings.REMINDER_EVENT_BEFORE_HOURS)
    registrations = Registration.objects.filter(
        state__in=TAKING_PART,
        event__state__in=UPCOMING_STATES,
        event__starts_at__gt=now,
        event__starts_at__lte=ahead,
    )
    return _due_per_registration(
        registrations,
        kind=ReminderKind.EVENT_SOON,
        template_prefix="events/mail/reminder_event_soon",
    )


def event_deadline(now: datetime) -> Iterator[Due]:
    """Registered people, before registration closes: the last moment to say whom they want
    to meet, which the schedule is built from."""
    ahead = now + timedelta(hours=settings.REMINDER_EVENT_DEADLINE_BEFORE_HOURS)
    registrations = Registration.objects.filter(
        state__in=TAKING_PART,
        event__state=EventState.PUBLISHED,
        event__registration_deadline__gt=now,
        event__registration_deadline__lte=ahead,
    )
    return _due_per_registration(
        registrations,
        kind=ReminderKind.EVENT_DEADLINE,
        template_prefix="events/mail/reminder_event_deadline",
    )


def _due_per_registration(
    registrations: QuerySet[Registration], *, kind: ReminderKind, template_prefix: str
) -> Iterator[Due]:
    """One reminder per registration, to its person, about its event."""
    registrations = registrations.select_related("event", "person").order_by("event_id", "pk")
    for registration in registrations:
        event = registration.event
        yield Due(
            kind=kind,
            subject=f"event:{event.pk}",
            recipient=registration.person,
            template_prefix=template_prefix,
            context={"event": event, "url": settings.SITE_URL + event.get_absolute_url()},
            message_kind=MessageKind.REMINDERS,
        )


def register() -> None:
    register_reminder_source(ReminderKind.EVENT_SOON, event_soon)
    register_reminder_source(ReminderKind.EVENT_DEADLINE, event_deadline)
