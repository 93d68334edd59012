"""Telling people where they stand at an event, through the outbox.

Each mail is about the recipient's own registration or about the event; none lists other
participants, so a registrant who is not listed never turns up in someone else's mail.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from events.enums import RegistrationState
from events.models import Event, EventLogEntry, Registration
from events.selectors import ACTIVE_REGISTRATION_STATES, waitlist_position
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue


class Change:
    """What happened to a registration; the mail template words it."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"


def event_links(event: Event) -> dict[str, str]:
    """Absolute links for mails: the event page, its calendar file, "My Meet & Match" and
    the list of events."""
    return {
        "page_url": settings.SITE_URL + reverse("events:detail", args=[event.slug]),
        "ics_url": settings.SITE_URL + reverse("events:event-ics", args=[event.slug]),
        "mine_url": settings.SITE_URL + reverse("events:mine"),
        "list_url": settings.SITE_URL + reverse("events:list"),
    }


def registration_notify(*, registration: Registration, change: str, now: datetime) -> None:
    """One mail to the person about their registration: a place (with the check-in code and
    the calendar link), the waiting list (with their number), a place that came free, or
    their cancellation. `now` names the moment, so the same change never mails twice."""
    event = registration.event
    message_render_and_queue(
        kind=MessageKind.EVENT_UPDATES,
        template_prefix="events/mail/registration",
        context={
            "registration": registration,
            "event": event,
            "change": change,
            "position": waitlist_position(registration),
            **event_links(event),
        },
        user=registration.person,
        dedupe_key=f"registration:{registration.pk}:{change}-{now.timestamp()}",
    )


def event_notify_people(
    *,
    event: Event,
    entry: EventLogEntry,
    template_prefix: str,
    states: frozenset[str] = ACTIVE_REGISTRATION_STATES,
) -> int:
    """Tell everyone registered or waiting about a change to the event: once per person
    and log entry, whoever asks twice. Returns how many mails were queued."""
    registrations = (
        Registration.objects.filter(event=event, state__in=states)
        .select_related("person")
        .order_by("pk")
    )
    links = event_links(event)
    queued = 0
    for registration in registrations:
        queued += (
            message_render_and_queue(
                kind=MessageKind.EVENT_UPDATES,
                template_prefix=template_prefix,
                context={
                    "event": event,
                    "entry": entry,
                    "registration": registration,
                    "waitlisted": registration.state == RegistrationState.WAITLISTED,
                    **links,
                },
                user=registration.person,
                dedupe_key=f"event-log:{entry.pk}:{registration.person_id}",
            )
            is not None
        )
    return queued
