"""Registering, cancelling, the waiting list and the check-in: the rules that must hold however
many click at once.

Locks are taken in one fixed order, the event first and then the person, so two
transactions never wait on each other in a circle. The event lock serialises everyone
registering for one event (capacity, the order of the waiting list) and every transition of
the event (events.services.lifecycle takes the same lock).
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_coordinator
from events.enums import Audience, EventState, RegistrationState, RoleAtEvent
from events.models import Event, Registration
from events.selectors import visible_registrations
from events.services.errors import EventError
from events.services.notifications import Change, registration_notify
from lerenmetdestad.locking import lock_rows, race_window
from partners.models import Theme

R = RegistrationState

# Which audience an account belongs to, and the roles it may come to an event as.
AUDIENCE_OF_ROLE = {
    Role.RESEARCHER: Audience.RESEARCHER,
    Role.PARTNER: Audience.PARTNER,
    Role.STUDENT: Audience.STUDENT,
}
ROLES_AT_EVENT = {
    Role.RESEARCHER: (RoleAtEvent.RESEARCHER, RoleAtEvent.LECTURER),
    Role.PARTNER: (RoleAtEvent.PRACTITIONER,),
    Role.STUDENT: (RoleAtEvent.STUDENT,),
}
# A freed place goes to the next in line while the event has not started. After the
# schedule is published the person who moves up has no seats until the schedule is rebuilt.
PROMOTING_STATES = frozenset(
    {EventState.PUBLISHED, EventState.REGISTRATION_CLOSED, EventState.SCHEDULED}
)
# People can be checked in from the day registration runs until the event is held.
CHECK_IN_STATES = frozenset(
    {
        EventState.PUBLISHED,
        EventState.REGISTRATION_CLOSED,
        EventState.SCHEDULED,
        EventState.HELD,
    }
)
TEXT_MAX_LENGTH = 1000


def lock_event(event_id: int) -> Event:
    return lock_rows(Event.objects).get(pk=event_id)


def lock_person(person_id: int) -> User:
    return lock_rows(User.objects, of=("self",)).get(pk=person_id)


def registered_count(event: Event) -> int:
    return Registration.objects.filter(event=event, state=R.REGISTERED).count()


def roles_at_event_for(person: User) -> tuple[RoleAtEvent, ...]:
    """The roles this person may choose when registering (none for coordinators)."""
    return ROLES_AT_EVENT.get(person.role, ())


def registration_problem(*, event: Event, person: User, now: datetime) -> str | None:
    """Why this person cannot register for this event now, or None. Checked again under the
    event's lock when the registration is written."""
    if event.state == EventState.CANCELLED:
        return _("This Meet & Match has been cancelled.")
    if event.state != EventState.PUBLISHED:
        return _("Registration for this Meet & Match is closed.")
    if now >= event.registration_deadline:
        return _("The deadline to register has passed.")
    audience = AUDIENCE_OF_ROLE.get(person.role)
    if audience is None or audience not in event.audience:
        return _("This Meet & Match is only for: %(audience)s.") % {
            "audience": ", ".join(str(Audience(a).label).lower() for a in event.audience)
        }
    existing = (
        Registration.objects.filter(event=event, person=person).exclude(state=R.CANCELLED).first()
    )
    if existing is not None:
        return _("You are already registered for this Meet & Match: %(state)s.") % {
            "state": existing.get_state_display().lower()
        }
    return None


def register(
    *,
    event_id: int,
    person: User,
    role_at_event: str,
    brings: str,
    seeks: str,
    themes: Iterable[Theme | int] = (),
    listed: bool = False,
    wants_to_meet_ids: Iterable[int] = (),
    rather_not_meet_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> Registration:
    """Register for an event: a place if there is one, else the waiting list (first come,
    first served). Someone who cancelled may register again, at the back of the queue.

    The people chosen to meet or not to meet must be visible to the person: listed
    registrants of the same event who are registered or waiting, never the person themself.
    Side effects: after commit, a mail to the person (with the check-in code and a link to
    the calendar file when they have a place, with their number on the waiting list if not).
    """
    brings, seeks = brings.strip(), seeks.strip()
    wants = set(wants_to_meet_ids)
    avoids = set(rather_not_meet_ids)
    _check_text(brings=brings, seeks=seeks)
    if wants & avoids:
        raise EventError(
            _("You chose the same person to meet and not to meet. Choose one."),
            field="rather_not_meet",
        )
    with transaction.atomic():
        event = lock_event(event_id)
        person = lock_person(person.pk)
        # Read the clock once the locks are held, so the waiting list's order is the order
        # in which registrations were served.
        now = now or timezone.now()
        problem = registration_problem(event=event, person=person, now=now)
        if problem:
            raise EventError(problem)
        if role_at_event not in roles_at_event_for(person):
            raise EventError(
                _("Choose how you come: as one of the roles in the list."), field="role_at_event"
            )
        # Whom one may choose is read under the event's lock, so it is the list as it is now.
        choosable = set(
            visible_registrations(event).exclude(person=person).values_list("pk", flat=True)
        )
        if wants - choosable:
            raise EventError(
                _("You can only choose people who are on the list of this Meet & Match."),
                field="wants_to_meet",
            )
        if avoids - choosable:
            raise EventError(
                _("You can only choose people who are on the list of this Meet & Match."),
                field="rather_not_meet",
            )

        taken = registered_count(event)
        race_window()
        state = R.REGISTERED if taken < event.capacity else R.WAITLISTED

        registration = Registration.objects.filter(event=event, person=person).first()
        if registration is None:
            registration = Registration(event=event, person=person, created_at=now)
        registration.role_at_event = role_at_event
        registration.brings = brings
        registration.seeks = seeks
        registration.listed = listed
        registration.state = state
        registration.queued_at = now
        registration.state_changed_at = now
        registration.checked_in_at = None
        if registration.pk is None:
            registration.save(force_insert=True)
        else:
            # Registering again after cancelling: the same row, at the back of the queue.
            registration.save(
                update_fields=[
                    "role_at_event",
                    "brings",
                    "seeks",
                    "listed",
                    "state",
                    "queued_at",
                    "state_changed_at",
                    "checked_in_at",
                ]
            )
        registration.themes.set(themes)
        registration.wants_to_meet.set(wants)
        registration.rather_not_meet.set(avoids)
        registration_notify(
            registration=registration,
            change=Change.REGISTERED if state == R.REGISTERED else Change.WAITLISTED,
            now=now,
        )
    return registration


def _check_text(*, brings: str, seeks: str) -> None:
    if not brings:
        raise EventError(_("Write in a few words what you bring."), field="brings")
    if not seeks:
        raise EventError(_("Write in a few words what you are looking for."), field="seeks")
    for field, text in (("brings", brings), ("seeks", seeks)):
        if len(text) > TEXT_MAX_LENGTH:
            raise EventError(
                _("Keep it under %(max)d characters.") % {"max": TEXT_MAX_LENGTH}, field=field
            )


def cancel_registration(
    *, registration_id: int, person: User, now: datetime | None = None
) -> Registration:
    """Cancel one's own registration or place on the waiting list, until the event starts.

    A freed place goes to the next in line at once.
    Side effects: a mail to the person; a mail to whoever moves up.
    """
    with transaction.atomic():
        event_id = (
            Registration.objects.filter(pk=registration_id, person=person)
            .values_list("event_id", flat=True)
            .first()
        )
        if event_id is None:
            raise EventError(_("This registration does not exist."))
        event = lock_event(event_id)
        registration = lock_rows(Registration.objects.select_related("person")).get(
            pk=registration_id
        )
        now = now or timezone.now()
        if registration.state == R.CANCELLED:
            raise EventError(_("You have already cancelled this registration."))
        if event.state == EventState.CANCELLED:
            raise EventError(_("This Meet & Match has been cancelled: there is nothing to do."))
        if now >= event.starts_at or event.state in (EventState.HELD, EventState.CLOSED):
            raise EventError(_("The Meet & Match has started: you can no longer cancel."))
        freed_place = registration.state == R.REGISTERED
        registration.state = R.CANCELLED
        registration.state_changed_at = now
        registration.save(update_fields=["state", "state_changed_at"])
        registration_notify(registration=registration, change=Change.CANCELLED, now=now)
        if freed_place:
            waitlist_promote(event=event, now=now)
    return registration


def waitlist_promote(*, event: Event, now: datetime) -> list[Registration]:
    """Fill free places from the waiting list, first in first out. The caller holds the
    event's lock. Side effects: a mail to each person who moves up."""
    promoted: list[Registration] = []
    if event.state not in PROMOTING_STATES or now >= event.starts_at:
        return promoted
    free = event.capacity - registered_count(event)
    if free <= 0:
        return promoted
    waiting = (
        Registration.objects.filter(event=event, state=R.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    for registration_pk in list(waiting):
        candidate = lock_rows(Registration.objects.select_related("person", "event")).get(
            pk=registration_pk
        )
        if candidate.state != R.WAITLISTED:
            continue
        candidate.state = R.REGISTERED
        candidate.state_changed_at = now
        candidate.save(update_fields=["state", "state_changed_at"])
        registration_notify(registration=candidate, change=Change.PROMOTED, now=now)
        promoted.append(candidate)
    return promoted


# --- Check-in at the door ----------------------------------------------------------------


def check_in(
    *,
    event_id: int,
    actor: User,
    registration_id: int | None = None,
    code: str = "",
    now: datetime | None = None,
) -> Registration:
    """Mark one person as arrived, found by their registration or by the code on their
    confirmation mail. Coordinators only; only people with a place."""
    if not is_coordinator(actor):
        raise EventError(_("Only coordinators can do this."))
    code = code.strip().upper()
    if registration_id is None and not code:
        raise EventError(_("Type the code from the confirmation mail."), field="code")
    with transaction.atomic():
        event = lock_event(event_id)
        found = Registration.objects.filter(event=event)
        found = (
            found.filter(pk=registration_id)
            if registration_id
            else found.filter(check_in_code=code)
        )
        registration_pk = found.values_list("pk", flat=True).first()
        if registration_pk is None:
            raise EventError(
                _("There is no registration with this code for this Meet & Match."),
                field="code",
            )
        registration = lock_rows(Registration.objects.select_related("person"), of=("self",)).get(
            pk=registration_pk
        )
        now = now or timezone.now()
        if event.state not in CHECK_IN_STATES:
            raise EventError(
                _("Check-in is not possible: the Meet & Match is %(state)s.")
                % {"state": event.get_state_display().lower()}
            )
        if registration.state != R.REGISTERED:
            raise EventError(
                _("%(name)s has no place at this Meet & Match (%(state)s).")
                % {
                    "name": registration.person.name,
                    "state": registration.get_state_display().lower(),
                },
                field="code",
            )
        if registration.checked_in_at is not None:
            raise EventError(
                _("%(name)s is already checked in, at %(time)s.")
                % {
                    "name": registration.person.name,
                    "time": timezone.localtime(registration.checked_in_at).strftime("%H:%M"),
                },
                field="code",
            )
        registration.checked_in_at = now
        registration.save(update_fields=["checked_in_at"])
    return registration
