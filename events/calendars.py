"""Calendar files (.ics, RFC 5545) for events and for a person's secret feed.

Every entry keeps one UID for its whole life, so a calendar program replaces the entry when
it reads the file again instead of adding a second one. SEQUENCE is the event's `sequence`,
which events.services.lifecycle raises on every change worth noticing; a cancelled event
keeps its entry with STATUS:CANCELLED. Times are in Europe/Amsterdam with a VTIMEZONE.

What goes in: the event's own facts (title, time, place, link back), never other
participants, so a feed cannot show someone who chose not to be listed.

The secret feed address (CalendarFeed.token) is written here too, by the two small services
at the bottom: the token is part of the calendar feature and nothing else uses it.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.enums import EventState, RegistrationState
from events.models import CalendarFeed, Event, MeetingSeat, Registration, new_token
from events.selectors import PUBLIC_STATES
from lerenmetdestad.locking import lock_rows

PRODID = "-//Leren met de Stad//Meet & Match//NL"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EVENT_ALARM_BEFORE = timedelta(hours=1)
MEETING_ALARM_BEFORE = timedelta(minutes=5)


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}"


def meeting_uid(*, registration_id: int, round_number: int) -> str:
    # Per person and round rather than per Meeting row: rebuilding the schedule makes new
    # Meeting rows, but a person's round 2 stays the same calendar entry.
    return f"meeting-{registration_id}-round-{round_number}@{settings.EMAIL_MESSAGE_ID_DOMAIN}"


def event_url(event: Event) -> str:
    return settings.SITE_URL + reverse("events:detail", args=[event.slug])


def _status(event: Event) -> str:
    return "CANCELLED" if event.state == EventState.CANCELLED else "CONFIRMED"


def _where(event: Event) -> str:
    return event.venue or event.online_url


def _alarm(*, before: timedelta, text: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm.new(description=text)
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    return alarm


def event_vevent(event: Event, *, stamp: datetime) -> icalendar.Event:
    """One VEVENT for the event as a whole."""
    url = event_url(event)
    description = "\n\n".join(part for part in (event.description.strip(), url) if part)
    vevent = icalendar.Event.new(
        uid=event_uid(event),
        summary=event.title,
        start=timezone.localtime(event.starts_at, AMSTERDAM),
        end=timezone.localtime(event.ends_at, AMSTERDAM),
        stamp=stamp,
        sequence=event.sequence,
        status=_status(event),
        url=url,
        location=_where(event),
        description=description,
    )
    vevent.add_component(
        _alarm(
            before=EVENT_ALARM_BEFORE,
            text=_("%(title)s starts in one hour.") % {"title": event.title},
        )
    )
    return vevent


def round_start(event: Event, round_number: int) -> datetime:
    """When a round begins: the first round's start (or the event's) plus earlier rounds."""
    first = event.first_round_at or event.starts_at
    return first + timedelta(minutes=event.minutes_per_round * (round_number - 1))


def seat_vevent(seat: MeetingSeat, *, event: Event, stamp: datetime) -> icalendar.Event:
    """One VEVENT for one of the person's meetings: round, time and table."""
    start = round_start(event, seat.round)
    summary = _("%(title)s: round %(round)d, table %(table)d") % {
        "title": event.title,
        "round": seat.round,
        "table": seat.meeting.table,
    }
    vevent = icalendar.Event.new(
        uid=meeting_uid(registration_id=seat.registration_id, round_number=seat.round),
        summary=summary,
        start=timezone.localtime(start, AMSTERDAM),
        end=timezone.localtime(start + timedelta(minutes=event.minutes_per_round), AMSTERDAM),
        stamp=stamp,
        sequence=event.sequence,
        status=_status(event),
        url=settings.SITE_URL + reverse("events:my-schedule", args=[event.slug]),
        location=_where(event),
    )
    vevent.add_component(
        _alarm(
            before=MEETING_ALARM_BEFORE,
            text=_("Round %(round)d starts in five minutes, at table %(table)d.")
            % {"round": seat.round, "table": seat.meeting.table},
        )
    )
    return vevent


def _calendar(*, name: str, vevents: Iterable[icalendar.Event], days: Iterable[date]) -> bytes:
    calendar = icalendar.Calendar.new(prodid=PRODID, name=name, method="PUBLISH")
    for vevent in vevents:
        calendar.add_component(vevent)
    days = list(days)
    if days:
        # A VTIMEZONE covering only the years in the file keeps it small.
        calendar.add_missing_timezones(
            first_date=date(min(days).year - 1, 1, 1), last_date=date(max(days).year + 2, 1, 1)
        )
    return calendar.to_ical()


def event_ics(event: Event, *, now: datetime | None = None) -> bytes:
    """The calendar file of one event."""
    stamp = now or timezone.now()
    return _calendar(
        name=event.title,
        vevents=[event_vevent(event, stamp=stamp)],
        days=[event.starts_at.date()],
    )


def registration_ics(registration: Registration, *, now: datetime | None = None) -> bytes:
    """The calendar file of one person's schedule at one event: the event and each of their
    meetings, with the same UIDs as in their feed, so a calendar holding both shows each
    entry once."""
    stamp = now or timezone.now()
    event = registration.event
    seats = (
        MeetingSeat.objects.filter(registration=registration)
        .select_related("meeting")
        .order_by("round")
    )
    return _calendar(
        name=_("%(title)s: my schedule") % {"title": event.title},
        vevents=[
            event_vevent(event, stamp=stamp),
            *(seat_vevent(seat, event=event, stamp=stamp) for seat in seats),
        ],
        days=[event.starts_at.date()],
    )


def person_feed_ics(person: User, *, now: datetime | None = None) -> bytes:
    """The person's feed: every event they have a place at (cancelled ones shown as such)
    and each of their meetings once a schedule exists. A constant number of queries."""
    stamp = now or timezone.now()
    registrations = list(
        Registration.objects.filter(
            person=person, state=RegistrationState.REGISTERED, event__state__in=PUBLIC_STATES
        )
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    seats = (
        MeetingSeat.objects.filter(registration__in=[r.pk for r in registrations])
        .select_related("meeting")
        .order_by("round")
    )
    events = {r.pk: r.event for r in registrations}
    vevents = [event_vevent(r.event, stamp=stamp) for r in registrations]
    vevents += [
        seat_vevent(seat, event=events[seat.registration_id], stamp=stamp) for seat in seats
    ]
    return _calendar(
        name=_("Meet & Match · %(name)s") % {"name": person.name},
        vevents=vevents,
        days=[r.event.starts_at.date() for r in registrations],
    )


# --- The secret feed address ---------------------------------------------------------------


def calendar_feed_ensure(*, person: User) -> CalendarFeed:
    """The person's feed address, made the first time they ask for it."""
    feed, _created = CalendarFeed.objects.get_or_create(person=person)
    return feed


def calendar_feed_reset(*, person: User) -> CalendarFeed:
    """Give the person a new secret feed address; the old one stops working at once."""
    with transaction.atomic():
        feed = calendar_feed_ensure(person=person)
        feed = lock_rows(CalendarFeed.objects).get(pk=feed.pk)
        feed.token = new_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
    return feed
