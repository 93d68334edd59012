"""The event state machine, and the coordinators' other writes on events.

draft → published → registration closed → scheduled → held → closed, or cancelled from any
state before held. The schedule part (events.services.schedule, not here) moves an event
from registration closed to scheduled when it publishes the schedule.

event_transition is the one place that allows or refuses a move here: it locks the event
row (the same lock registering takes), checks the guard against the locked state, saves
with update_fields, writes a log entry and queues the mails in the same transaction, so a
transition and its mails exist together or not at all.

`sequence` is the iCalendar SEQUENCE of the event's calendar entries: it goes up by one on
every change people's calendars should pick up (cancelling; a new time, place or title), so
calendar programs replace the old entry instead of keeping both.
"""

from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.rules import is_coordinator
from events.enums import Audience, EventState
from events.models import Event, EventLogEntry
from events.services.errors import EventError
from events.services.notifications import event_notify_people
from events.services.registration import lock_event, registered_count, waitlist_promote
from lerenmetdestad.locking import race_window
from lerenmetdestad.transitions import Transition, transitions_by_action
from partners.models import Theme

S = EventState


class EventAction(models.TextChoices):
    """What an event log entry records. Transitions are named by their verb."""

    CREATE = "create", gettext_lazy("Created")
    EDIT = "edit", gettext_lazy("Edited")
    PUBLISH = "publish", gettext_lazy("Published")
    CLOSE_REGISTRATION = "close_registration", gettext_lazy("Registration closed")
    HOLD = "hold", gettext_lazy("Held")
    CLOSE = "close", gettext_lazy("Closed")
    CANCEL = "cancel", gettext_lazy("Cancelled")


A = EventAction


TRANSITIONS: dict[str, Transition] = transitions_by_action(
    Transition(A.PUBLISH, frozenset({S.DRAFT}), S.PUBLISHED),
    Transition(A.CLOSE_REGISTRATION, frozenset({S.PUBLISHED}), S.REGISTRATION_CLOSED),
    Transition(A.HOLD, frozenset({S.SCHEDULED}), S.HELD),
    Transition(A.CLOSE, frozenset({S.HELD}), S.CLOSED),
    Transition(
        A.CANCEL,
        frozenset({S.DRAFT, S.PUBLISHED, S.REGISTRATION_CLOSED, S.SCHEDULED}),
        S.CANCELLED,
        needs_message=True,
    ),
)

# Fields a coordinator may change, and while the event is in which states.
EDITABLE_STATES = frozenset({S.DRAFT, S.PUBLISHED, S.REGISTRATION_CLOSED, S.SCHEDULED})
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "starts_at",
        "ends_at",
        "venue",
        "online_url",
        "capacity",
        "registration_deadline",
        "audience",
        "rounds",
        "minutes_per_round",
        "tables",
        "seats_per_table",
        "first_round_at",
    }
)
# A change of these is news for people's calendars (SEQUENCE goes up) ...
CALENDAR_FIELDS = frozenset({"title", "starts_at", "ends_at", "venue", "online_url"})
# ... and a change of these is mailed to everyone registered or waiting.
TIME_AND_PLACE_FIELDS = frozenset({"starts_at", "ends_at", "venue", "online_url"})


def allowed_actions(event: Event) -> list[EventAction]:
    """The transitions that may be taken from the event's current state."""
    return [t.action for t in TRANSITIONS.values() if event.state in t.sources]


def event_transition(
    *,
    event_id: int,
    action: EventAction | str,
    actor: User,
    message: str = "",
    now: datetime | None = None,
) -> Event:
    """Move an event through one transition, or raise EventError saying why not.

    Publishing needs a deadline still ahead; holding needs the event to have started.
    Cancelling needs a `message` for the people registered.
    Side effects: a log entry; on cancelling, `sequence` + 1 (calendars show the entry
    cancelled) and one mail per person registered or on the waiting list.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise EventError(_("This action does not exist."))
    message = message.strip()
    if transition.needs_message and not message:
        raise EventError(
            _("Write a short message to the people registered: it is required here."),
            field="message",
        )
    if not is_coordinator(actor):
        raise EventError(_("Only coordinators can do this."))
    now = now or timezone.now()

    with transaction.atomic():
        event = lock_event(event_id)
        if event.state not in transition.sources:
            raise EventError(
                _("This cannot be done now: the Meet & Match is %(state)s.")
                % {"state": event.get_state_display().lower()}
            )
        if action == A.PUBLISH and event.registration_deadline <= now:
            raise EventError(
                _("The deadline to register has already passed. Change the dates first.")
            )
        if action == A.HOLD and now < event.starts_at:
            raise EventError(_("The Meet & Match has not started yet."))
        race_window()

        from_state = event.state
        event.state = transition.target
        fields = ["state"]
        if action == A.CANCEL:
            event.sequence += 1
            fields.append("sequence")
        event.save(update_fields=fields)
        data: dict[str, Any] = {}
        if action in (A.CLOSE_REGISTRATION, A.CANCEL):
            data["registered"] = registered_count(event)
        entry = EventLogEntry.objects.create(
            event=event,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=event.state,
            message=message,
            data=data,
            created_at=now,
        )
        if action == A.CANCEL:
            event_notify_people(
                event=event, entry=entry, template_prefix="events/mail/event_cancelled"
            )
    return event


# --- Creating and changing events ------------------------------------------------------------


def event_problems(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    registration_deadline: datetime | None,
    audience: list[str] | None,
    first_round_at: datetime | None = None,
) -> dict[str, str]:
    """{field: what is wrong} with an event's dates and audience; empty when all is well.

    The same rules as the database's check constraints, in words a coordinator understands.
    """
    problems: dict[str, str] = {}
    if starts_at and ends_at and ends_at <= starts_at:
        problems["ends_at"] = _("The end must be after the start.")
    if starts_at and registration_deadline and registration_deadline > starts_at:
        problems["registration_deadline"] = _(
            "The deadline to register must be at or before the start."
        )
    if audience is not None and (not audience or set(audience) - set(Audience.values)):
        problems["audience"] = _("Choose at least one group who may register.")
    if first_round_at and starts_at and ends_at and not starts_at <= first_round_at < ends_at:
        problems["first_round_at"] = _("The first round must start during the Meet & Match.")
    return problems


def _raise_problems(event: Event) -> None:
    problems = event_problems(
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        registration_deadline=event.registration_deadline,
        audience=event.audience,
        first_round_at=event.first_round_at,
    )
    if problems:
        field = next(iter(problems)) if len(problems) == 1 else None
        raise EventError(" ".join(problems.values()), field=field)


def event_create(
    *,
    event: Event,
    actor: User,
    themes: list[Theme] | None = None,
    now: datetime | None = None,
) -> Event:
    """Save a new event built by a form, as a draft; returns it. Side effects: a log entry."""
    if not is_coordinator(actor):
        raise EventError(_("Only coordinators can do this."))
    now = now or timezone.now()
    _raise_problems(event)
    with transaction.atomic():
        event.state = S.DRAFT
        event.sequence = 0
        event.created_at = now
        event.save(force_insert=True)
        if themes is not None:
            event.themes.set(themes)
        EventLogEntry.objects.create(
            event=event, actor=actor, action=A.CREATE, to_state=S.DRAFT, created_at=now
        )
    return event


def event_update(
    *,
    event_id: int,
    actor: User,
    changes: dict[str, Any],
    themes: list[Theme] | None = None,
    message: str = "",
    now: datetime | None = None,
) -> Event:
    """Change an event's details while it is not yet held or cancelled.

    Never fewer places than people registered. More places move people up from the waiting
    list at once.
    Side effects: a log entry with the old and new values; when the title, time or place
    changes, `sequence` + 1; when the time or place changes, one mail per person registered
    or waiting (with `message`, if given); mails to whoever moves up.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"These event fields cannot be changed here: {', '.join(sorted(unknown))}")
    if not is_coordinator(actor):
        raise EventError(_("Only coordinators can do this."))
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(event_id)
        changes = {name: value for name, value in changes.items() if getattr(event, name) != value}
        themes_changed = themes is not None and {t.pk for t in themes} != set(
            event.themes.values_list("pk", flat=True)
        )
        if not changes and not themes_changed:
            return event
        if event.state not in EDITABLE_STATES:
            raise EventError(
                _("A Meet & Match that is %(state)s can no longer change.")
                % {"state": event.get_state_display().lower()}
            )
        old = {name: getattr(event, name) for name in changes}
        for name, value in changes.items():
            setattr(event, name, value)
        _raise_problems(event)
        registered = registered_count(event)
        if event.capacity < registered:
            raise EventError(
                _(
                    "%(count)d people are already registered: keep at least as many places, "
                    "or ask some to cancel first."
                )
                % {"count": registered},
                field="capacity",
            )
        fields = list(changes)
        if CALENDAR_FIELDS & set(changes):
            event.sequence += 1
            fields.append("sequence")
        if fields:
            event.save(update_fields=fields)
        if themes_changed:
            event.themes.set(themes)
        entry = EventLogEntry.objects.create(
            event=event,
            actor=actor,
            action=A.EDIT,
            from_state=event.state,
            to_state=event.state,
            message=message.strip(),
            data={"changed": {name: [str(old[name]), str(changes[name])] for name in changes}},
            created_at=now,
        )
        if event.capacity > old.get("capacity", event.capacity):
            waitlist_promote(event=event, now=now)
        if TIME_AND_PLACE_FIELDS & set(changes) and event.state != S.DRAFT:
            event_notify_people(
                event=event, entry=entry, template_prefix="events/mail/event_changed"
            )
    return event
