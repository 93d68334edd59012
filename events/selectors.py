"""Reused querysets for events and registrations.

Privacy rule: a registrant who did not agree to be listed (listed=False) never appears in a
participant list or a choice list. Every such list starts from visible_registrations(); only
the schedule (people seated together) and the coordinators' own pages look past it.
"""

from datetime import datetime

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from events.enums import EventState, RegistrationState
from events.models import Event, MeetingSeat, Registration

R = RegistrationState

# Events anyone may see: everything but drafts. A cancelled event stays visible, so people
# who kept its link or its calendar entry learn that it does not go ahead.
PUBLIC_STATES = frozenset(state for state in EventState if state != EventState.DRAFT)
# Registrations that hold or wait for a place; these may be chosen when listed.
ACTIVE_REGISTRATION_STATES = frozenset({R.REGISTERED, R.WAITLISTED})


def visible_registrations(event: Event | int) -> QuerySet[Registration]:
    """The registrations of one event that other registrants may see and choose: listed, and
    registered or on the waiting list. Ordered by name, with the person joined in."""
    event_id = event if isinstance(event, int) else event.pk
    return (
        Registration.objects.filter(
            event_id=event_id, listed=True, state__in=ACTIVE_REGISTRATION_STATES
        )
        .select_related("person")
        .order_by("person__name", "pk")
    )


def with_places(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate registered_total, waiting_total and places_left (never below zero)."""
    return queryset.annotate(
        registered_total=Count("registrations", filter=Q(registrations__state=R.REGISTERED)),
        waiting_total=Count("registrations", filter=Q(registrations__state=R.WAITLISTED)),
    ).annotate(places_left=Greatest(F("capacity") - F("registered_total"), Value(0)))


def public_events() -> QuerySet[Event]:
    return with_places(Event.objects.filter(state__in=PUBLIC_STATES)).prefetch_related("themes")


def upcoming_events(*, now: datetime) -> QuerySet[Event]:
    """Events that have not ended yet, soonest first."""
    return public_events().filter(ends_at__gte=now).order_by("starts_at", "pk")


def past_events(*, now: datetime) -> QuerySet[Event]:
    """Events that have ended, most recent first."""
    return public_events().filter(ends_at__lt=now).order_by("-starts_at", "pk")


def registration_of(*, event: Event, person: User) -> Registration | None:
    """The person's registration for the event, in any state, or None."""
    if not person.is_authenticated:
        return None
    return Registration.objects.filter(event=event, person=person).first()


def participants(event: Event) -> list[Registration]:
    """The participant list of an event page: listed registrants with what they bring."""
    return list(visible_registrations(event).prefetch_related("themes"))


def waiting_ahead() -> Subquery:
    """An annotation: how many are before this registration on its event's waiting list."""
    ahead = (
        Registration.objects.filter(event=OuterRef("event"), state=R.WAITLISTED)
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead), 0)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not on the waiting list."""
    if registration.state != R.WAITLISTED:
        return None
    ahead = (
        Registration.objects.filter(pk=registration.pk)
        .annotate(ahead=waiting_ahead())
        .values_list("ahead", flat=True)
    )
    return ahead.get() + 1


def my_registrations(person: User) -> list[Registration]:
    """A person's registrations, latest event first, each with `position` on the waiting list."""
    registrations = list(
        Registration.objects.filter(person=person)
        .annotate(ahead=waiting_ahead())
        .select_related("event")
        .order_by("-event__starts_at", "pk")
    )
    for registration in registrations:
        registration.position = (
            registration.ahead + 1 if registration.state == R.WAITLISTED else None
        )
    return registrations


def check_in_list(event: Event) -> QuerySet[Registration]:
    """Everyone with a place, alphabetically: the list at the door. Coordinators only, so it
    includes people who are not listed."""
    return (
        Registration.objects.filter(event=event, state=R.REGISTERED)
        .select_related("person")
        .order_by("person__name", "pk")
    )


def registrations_for_export(event_ids: list[int]) -> QuerySet[Registration]:
    """Every registration of the events, for the coordinators' CSV export."""
    return (
        Registration.objects.filter(event_id__in=event_ids)
        .select_related("event", "person")
        .order_by("event__starts_at", "event_id", "queued_at", "pk")
    )


def registrations_with_schedule(person: User) -> QuerySet[Registration]:
    """The person's registrations with their seats and follow-ups prefetched, for the
    schedule part of "My Meet & Match" (see events/views/registration.py mine_view)."""
    return (
        Registration.objects.filter(person=person, state=R.REGISTERED)
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "seats", queryset=MeetingSeat.objects.select_related("meeting").order_by("round")
            ),
            "follow_ups",
        )
        .order_by("-event__starts_at", "pk")
    )
