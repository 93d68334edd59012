"""What events holds about a person: Meet & Match registrations with what they bring and seek,
whom they want to meet, their seats and follow-ups, their calendar feed, and what they did as
organiser. Collected by accounts.privacy.registry."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.privacy.erasure import register_guard
from accounts.privacy.formats import acted, when
from accounts.privacy.registry import (
    Blank,
    Delete,
    InSection,
    Keep,
    NotInDownload,
    PersonalData,
    Section,
    register,
)
from events.enums import EventState, RegistrationState
from events.models import FollowUp, MeetingSeat, Registration

ANOTHER_PERSONS_WISH = "another person's wish about whom they meet, which is theirs"
_ENDED_EVENT_STATES = (EventState.HELD, EventState.CLOSED, EventState.CANCELLED)
_ACTIVE_REGISTRATION_STATES = (RegistrationState.REGISTERED, RegistrationState.WAITLISTED)


def _registration_under_way(user) -> str | None:
    registered = Registration.objects.filter(
        person=user, state__in=_ACTIVE_REGISTRATION_STATES
    ).exclude(event__state__in=_ENDED_EVENT_STATES)
    if registered.exists():
        return _(
            "You still have a place in a group or at a Meet & Match that has not ended. "
            "Withdraw or cancel it first, or ask us at privacy@lerenmetdestad.nl."
        )
    return None


def _registrations(registrations: QuerySet) -> list[dict]:
    wished = Registration.objects.select_related("person").order_by("pk")
    rows = (
        registrations.select_related("event")
        .prefetch_related(
            "themes",
            Prefetch("wants_to_meet", wished),
            Prefetch("rather_not_meet", wished),
            Prefetch(
                "seats",
                MeetingSeat.objects.select_related("meeting").order_by("round", "pk"),
            ),
            Prefetch(
                "follow_ups",
                FollowUp.objects.select_related(
                    "with_person", "challenge", "project", "meeting"
                ).order_by("created_at", "pk"),
            ),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "event": registration.event.title,
            "starts_at": when(registration.event.starts_at),
            "came_as": registration.role_at_event,
            "state": registration.state,
            "brings": registration.brings,
            "seeks": registration.seeks,
            "themes": sorted(theme.name for theme in registration.themes.all()),
            "listed": registration.listed,
            "wants_to_meet": [other.person.name for other in registration.wants_to_meet.all()],
            "rather_not_meet": [other.person.name for other in registration.rather_not_meet.all()],
            "checked_in_at": when(registration.checked_in_at),
            "seats": [
                {"round": seat.round, "table": seat.meeting.table, "why": seat.meeting.reason}
                for seat in registration.seats.all()
            ],
            "follow_ups": [
                {
                    "round": follow_up.meeting.round,
                    "with": follow_up.with_person.name if follow_up.with_person else None,
                    "planned_on": when(follow_up.planned_on),
                    "note": follow_up.note,
                    "challenge": follow_up.challenge.title if follow_up.challenge else None,
                    "project": follow_up.project.title if follow_up.project else None,
                }
                for follow_up in registration.follow_ups.all()
            ],
        }
        for registration in rows
    ]


def _calendar_feed(feeds: QuerySet) -> dict | None:
    # The secret address is left out: the download may travel further than the person wants
    # their calendar to.
    feed = feeds.first()
    return {"since": when(feed.created_at)} if feed is not None else None


def _event(row) -> str:
    return row.event.title


def register_declarations() -> None:
    register_guard(_registration_under_way)
    register(
        PersonalData(
            model="events.Registration",
            person="person",
            fields=("brings", "seeks", "listed", "check_in_code"),
            download=Section("event_registrations", _registrations),
            # The registration stays, so the event's figures and the others' schedules hold.
            erase=Blank({"brings": "", "seeks": "", "listed": False}),
        ),
        PersonalData(
            model="events.Registration_wants_to_meet",
            person="from_registration__person",
            fields=("to_registration",),
            download=InSection("event_registrations"),
            erase=Delete(),
        ),
        PersonalData(
            model="events.Registration_wants_to_meet",
            person="to_registration__person",
            own=False,
            fields=("to_registration",),
            download=NotInDownload(ANOTHER_PERSONS_WISH),
            erase=Keep(ANOTHER_PERSONS_WISH),
        ),
        PersonalData(
            model="events.Registration_rather_not_meet",
            person="from_registration__person",
            fields=("to_registration",),
            download=InSection("event_registrations"),
            erase=Delete(),
        ),
        PersonalData(
            model="events.Registration_rather_not_meet",
            person="to_registration__person",
            own=False,
            fields=("to_registration",),
            download=NotInDownload(ANOTHER_PERSONS_WISH),
            erase=Keep(ANOTHER_PERSONS_WISH),
        ),
        PersonalData(
            model="events.Registration_themes",
            person="registration__person",
            fields=("theme",),
            download=InSection("event_registrations"),
            erase=Keep("what the event's theme figures count; a theme says nothing of whom"),
        ),
        PersonalData(
            model="events.MeetingSeat",
            person="registration__person",
            fields=("meeting",),
            download=InSection("event_registrations"),
            erase=Keep("the event's seating, which the others' schedules show"),
        ),
        PersonalData(
            model="events.FollowUp",
            person="registration__person",
            fields=("note", "planned_on"),
            download=InSection("event_registrations"),
            erase=Blank({"note": ""}),
        ),
        PersonalData(
            model="events.FollowUp",
            person="with_person",
            own=False,
            fields=("with_person",),
            download=NotInDownload("another person's follow-up, which is theirs"),
            erase=Keep("another person's follow-up; it names the anonymous account"),
        ),
        PersonalData(
            model="events.CalendarFeed",
            person="person",
            fields=("token",),
            download=Section("calendar_feed", _calendar_feed),
            erase=Delete(),
        ),
        PersonalData(
            model="events.EventLogEntry",
            person="actor",
            own=False,
            fields=("actor",),
            download=acted("changed a Meet & Match", "created_at", _event, via=("event",)),
            erase=Keep("the event's history of who did what; it names the anonymous account"),
        ),
    )
