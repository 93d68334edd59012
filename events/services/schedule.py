"""The schedule of a Meet & Match: saving one, publishing it, and reading it back.

Where a schedule comes from: the matching engine (the `matching` app, issue 6) or a
coordinator's hand. Both end in schedule_save, which checks the proposal against the event
and stores it. `events` never imports `matching`: the engine registers its builder here with
register_schedule_builder() from its AppConfig.ready(), and the admin's "build schedule"
calls schedule_build(), which uses whatever is registered, or says there is none.

Lock order, as everywhere in events: the event row first. Registering and cancelling lock it
too, so the people checked here are still registered when the seats are written.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_coordinator
from events.calendars import round_start
from events.enums import TAKING_PART, EventState, RoleAtEvent
from events.models import Event, EventLogEntry, Meeting, MeetingSeat, Registration
from events.schedule_input import (
    ProposedMeeting,
    ScheduleProblem,
    ScheduleProposal,
    schedule_problem,
)
from events.services.errors import EventError
from lerenmetdestad.locking import lock_rows, race_window
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue

# A schedule may be saved (built or changed by hand) while registration is closed, and after
# publication until the event ends; changes after publication are mailed to those concerned.
EDITABLE_STATES = frozenset({EventState.REGISTRATION_CLOSED, EventState.SCHEDULED})
# Participants see their schedule once it is published, and keep it afterwards.
PUBLISHED_STATES = frozenset({EventState.SCHEDULED, EventState.HELD, EventState.CLOSED})


class ScheduleAction:
    """What an EventLogEntry about the schedule records."""

    SAVE = "schedule_save"
    CHANGE = "schedule_change"
    PUBLISH = "schedule_publish"


StrOrPromise = str | Promise

# --- Where schedules come from ----------------------------------------------------------

ScheduleBuilder = Callable[[ScheduleProblem], ScheduleProposal]

_builder: ScheduleBuilder | None = None


def register_schedule_builder(builder: ScheduleBuilder | None) -> None:
    """Make `builder` the one schedule_build() uses; None removes it.

    The matching app calls this from its AppConfig.ready(), so events never imports it.
    A builder takes a ScheduleProblem and returns a ScheduleProposal; it reads and writes
    nothing itself.
    """
    global _builder  # noqa: PLW0603 (one registry per process, set once at start-up)
    _builder = builder


def schedule_builder() -> ScheduleBuilder | None:
    """The registered builder, or None while no matching engine is installed."""
    return _builder


def schedule_build(*, event_id: int, actor: User, now: datetime | None = None) -> EventLogEntry:
    """Let the registered builder make a schedule for the event and save it (not publish it).

    Raises EventError when no builder is registered, when the event is not waiting for a
    schedule, or when the builder's proposal breaks a rule (schedule_save checks it, so an
    engine can never store a schedule that double-books or overfills).
    Side effects: as schedule_save.
    """
    builder = schedule_builder()
    if builder is None:
        raise EventError(
            _("The planner comes with the matching module. Make the schedule by hand for now.")
        )
    _check_coordinator(actor)
    event = Event.objects.get(pk=event_id)
    if event.state != EventState.REGISTRATION_CLOSED:
        raise EventError(
            _(
                "A schedule can be built when registration is closed and the schedule is not "
                "published yet. Change a published schedule by hand."
            )
        )
    # The builder runs outside any transaction or lock: it may take a while, and
    # schedule_save checks its result again under the event's lock.
    proposal = builder(schedule_problem(event))
    return schedule_save(
        event_id=event_id,
        proposal=proposal,
        actor=actor,
        now=now,
        source=f"{builder.__module__}.{builder.__qualname__}",
    )


# --- Saving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleFault:
    """One thing wrong with a proposal; round and table say where, when it is one place."""

    message: str
    round: int | None = None
    table: int | None = None


class ScheduleError(EventError):
    """A proposal breaks one or more rules. str() joins them; `faults` lists each one."""

    def __init__(self, faults: list[ScheduleFault]):
        super().__init__(" ".join(fault.message for fault in faults))
        self.faults = faults


def schedule_save(
    *,
    event_id: int,
    proposal: ScheduleProposal,
    actor: User | None,
    now: datetime | None = None,
    source: str = "hand",
) -> EventLogEntry:
    """Check a proposed schedule against the event and store it, replacing the one before.

    This is the one call through which a schedule is written: the matching engine
    (`matching`, issue 6) writes its result with it, and so does the coordinators' page that
    makes a schedule by hand. It refuses, with a ScheduleError listing every fault, a
    proposal with a round or table outside the event's set-up; a table with fewer than two
    or more than seats_per_table people; someone who is not registered for the event;
    someone twice in one round; or two people at one table when one of them would rather
    not meet the other. The database backs the double-booking rule with a unique key on
    (registration, round).

    `actor` is the coordinator who asked, or None when the platform itself does it (a task).
    `source` says where the proposal came from ("hand", or the builder's name) for the log.
    Side effects, in one transaction under the event's row lock: the event's meetings and
    seats are replaced; a log entry. Once published, the change also raises the event's
    sequence (calendars update) and mails each person whose own schedule changed.
    """
    if actor is not None:
        _check_coordinator(actor)
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(event_id)
        if event.state not in EDITABLE_STATES:
            raise EventError(
                _("The schedule cannot be changed now: the event is %(state)s.")
                % {"state": event.get_state_display()}
            )
        if now >= event.ends_at:
            raise EventError(_("The event is over, so its schedule can no longer change."))
        registrations = {
            registration.pk: registration
            for registration in Registration.objects.filter(
                event=event, state__in=TAKING_PART
            ).select_related("person")
        }
        faults = proposal_faults(
            event=event,
            proposal=proposal,
            names={pk: r.person.name for pk, r in registrations.items()},
            rather_not=_rather_not_pairs(event.pk),
        )
        if faults:
            raise ScheduleError(faults)
        race_window()

        before = _seat_signatures(event.pk)
        # Seats go with their meetings (on_delete=CASCADE). Follow-ups hang on meetings too,
        # but exist only after the event, when saving is refused above.
        Meeting.objects.filter(event=event).delete()
        meetings = Meeting.objects.bulk_create(
            Meeting(
                event=event,
                round=proposed.round,
                table=proposed.table,
                reason=proposed.reason.strip(),
                score=proposed.score,
            )
            for proposed in _in_order(proposal.meetings)
        )
        seats = MeetingSeat.objects.bulk_create(
            MeetingSeat(meeting=meeting, registration_id=pk, round=meeting.round)
            for meeting, proposed in zip(meetings, _in_order(proposal.meetings), strict=True)
            for pk in proposed.participant_ids
        )
        after = _signatures_of(proposal)
        changed = sorted(
            pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk)
        )
        published = event.state == EventState.SCHEDULED
        data: dict[str, Any] = {
            "meetings": len(meetings),
            "seats": len(seats),
            "people": len(after),
            "source": source,
        }
        if published:
            event.sequence += 1
            event.save(update_fields=["sequence"])
            data["changed_for"] = changed
        entry = EventLogEntry.objects.create(
            event=event,
            actor=actor,
            action=ScheduleAction.CHANGE if published else ScheduleAction.SAVE,
            from_state=event.state,
            to_state=event.state,
            data=data,
            created_at=now,
        )
        if published:
            _mail_schedules(
                event=event,
                entry=entry,
                registrations=[registrations[pk] for pk in changed if pk in registrations],
                template_prefix="events/mail/schedule_changed",
            )
    return entry


def proposal_faults(
    *,
    event: Event,
    proposal: ScheduleProposal,
    names: dict[int, str],
    rather_not: frozenset[frozenset[int]],
) -> list[ScheduleFault]:
    """Everything wrong with a proposal for this event; empty when it may be saved.

    `names` maps the ids of the registrations that take part to the person's name; any other
    id is not registered. Pure: reads nothing from the database.
    """
    faults: list[ScheduleFault] = []
    if not proposal.meetings:
        faults.append(ScheduleFault(_("The schedule has no meetings yet.")))
    places: set[tuple[int, int]] = set()
    seen_in_round: dict[tuple[int, int], tuple[int, int]] = {}
    for meeting in _in_order(proposal.meetings):
        r, t = meeting.round, meeting.table
        if not 1 <= r <= event.rounds:
            faults.append(
                ScheduleFault(
                    _("Round %(round)s does not exist: this event has %(rounds)s rounds.")
                    % {"round": r, "rounds": event.rounds},
                    r,
                    t,
                )
            )
        if not 1 <= t <= event.tables:
            faults.append(
                ScheduleFault(
                    _("Table %(table)s does not exist: this event has %(tables)s tables.")
                    % {"table": t, "tables": event.tables},
                    r,
                    t,
                )
            )
        if (r, t) in places:
            faults.append(
                ScheduleFault(
                    _("Table %(table)s appears twice in round %(round)s.")
                    % {"table": t, "round": r},
                    r,
                    t,
                )
            )
        places.add((r, t))
        people = meeting.participant_ids
        if len(people) < 2:
            faults.append(
                ScheduleFault(
                    _("Table %(table)s in round %(round)s needs at least two people.")
                    % {"table": t, "round": r},
                    r,
                    t,
                )
            )
        if len(people) > event.seats_per_table:
            faults.append(
                ScheduleFault(
                    _(
                        "Table %(table)s in round %(round)s has %(count)s people; "
                        "a table has %(seats)s seats."
                    )
                    % {
                        "table": t,
                        "round": r,
                        "count": len(people),
                        "seats": event.seats_per_table,
                    },
                    r,
                    t,
                )
            )
        if not math.isfinite(meeting.score):
            faults.append(
                ScheduleFault(
                    _("Table %(table)s in round %(round)s has no valid score.")
                    % {"table": t, "round": r},
                    r,
                    t,
                )
            )
        for pk in people:
            if pk not in names:
                faults.append(
                    ScheduleFault(
                        _(
                            "Registration %(id)s at table %(table)s in round %(round)s is not "
                            "registered for this event."
                        )
                        % {"id": pk, "table": t, "round": r},
                        r,
                        t,
                    )
                )
                continue
            if (pk, r) in seen_in_round:
                first_table = seen_in_round[pk, r][1]
                faults.append(
                    ScheduleFault(
                        _(
                            "%(name)s sits twice in round %(round)s: at table %(first)s and "
                            "at table %(table)s."
                        )
                        % {"name": names[pk], "round": r, "first": first_table, "table": t}
                        if first_table != t
                        else _("%(name)s is at table %(table)s in round %(round)s twice.")
                        % {"name": names[pk], "round": r, "table": t},
                        r,
                        t,
                    )
                )
            seen_in_round[pk, r] = (r, t)
        faults.extend(
            ScheduleFault(
                _(
                    "%(one)s and %(other)s are at table %(table)s in round %(round)s, but one "
                    "of them would rather not meet the other."
                )
                % {"one": names[one], "other": names[other], "table": t, "round": r},
                r,
                t,
            )
            for one, other in _pairs(people)
            if frozenset((one, other)) in rather_not and one in names and other in names
        )
    return faults


def _in_order(meetings: Iterable[ProposedMeeting]) -> list[ProposedMeeting]:
    return sorted(meetings, key=lambda m: (m.round, m.table))


def _pairs(people: tuple[int, ...]) -> list[tuple[int, int]]:
    return [(one, other) for i, one in enumerate(people) for other in people[i + 1 :]]


def _rather_not_pairs(event_id: int) -> frozenset[frozenset[int]]:
    rows = Registration.rather_not_meet.through.objects.filter(
        from_registration__event_id=event_id
    ).values_list("from_registration_id", "to_registration_id")
    return frozenset(frozenset(row) for row in rows)


Signature = frozenset[tuple[int, int, frozenset[int]]]


def _seat_signatures(event_id: int) -> dict[int, Signature]:
    """Per registration: where it sits in each round and with whom, as stored now."""
    at: dict[int, set[int]] = defaultdict(set)
    place: dict[int, tuple[int, int]] = {}
    seats = MeetingSeat.objects.filter(meeting__event_id=event_id).values_list(
        "meeting_id", "meeting__round", "meeting__table", "registration_id"
    )
    rows = list(seats)
    for meeting_id, r, t, pk in rows:
        at[meeting_id].add(pk)
        place[meeting_id] = (r, t)
    signatures: dict[int, set] = defaultdict(set)
    for meeting_id, people in at.items():
        r, t = place[meeting_id]
        for pk in people:
            signatures[pk].add((r, t, frozenset(people - {pk})))
    return {pk: frozenset(signature) for pk, signature in signatures.items()}


def _signatures_of(proposal: ScheduleProposal) -> dict[int, Signature]:
    signatures: dict[int, set] = defaultdict(set)
    for meeting in proposal.meetings:
        people = set(meeting.participant_ids)
        for pk in people:
            signatures[pk].add((meeting.round, meeting.table, frozenset(people - {pk})))
    return {pk: frozenset(signature) for pk, signature in signatures.items()}


# --- Publishing -------------------------------------------------------------------------


def schedule_publish(*, event_id: int, actor: User, now: datetime | None = None) -> EventLogEntry:
    """Publish the saved schedule: the event becomes scheduled and everyone seated hears it.

    Only from registration closed, and only with a saved schedule.
    Side effects, under the event's row lock: state scheduled, schedule_published_at,
    sequence + 1 (calendars update); a log entry; one mail per seated person with their own
    schedule, keyed per (log entry, person) so a publication never mails anyone twice.
    """
    _check_coordinator(actor)
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event(event_id)
        if event.state != EventState.REGISTRATION_CLOSED:
            raise EventError(
                _(
                    "The schedule can be published when registration is closed; "
                    "the event is %(state)s."
                )
                % {"state": event.get_state_display()}
            )
        seated = list(
            Registration.objects.filter(event=event, seats__isnull=False)
            .distinct()
            .select_related("person")
            .order_by("person__name", "pk")
        )
        if not seated:
            raise EventError(_("There is no schedule to publish yet. Build or make one first."))
        gone = [r.person.name for r in seated if r.state not in TAKING_PART]
        if gone:
            raise EventError(
                _("%(names)s cancelled after the schedule was made. Change the schedule first.")
                % {"names": ", ".join(gone)}
            )
        from_state = event.state
        event.state = EventState.SCHEDULED
        event.schedule_published_at = now
        event.sequence += 1
        event.save(update_fields=["state", "schedule_published_at", "sequence"])
        entry = EventLogEntry.objects.create(
            event=event,
            actor=actor,
            action=ScheduleAction.PUBLISH,
            from_state=from_state,
            to_state=event.state,
            data={"people": len(seated)},
            created_at=now,
        )
        _mail_schedules(
            event=event,
            entry=entry,
            registrations=seated,
            template_prefix="events/mail/schedule_published",
        )
    return entry


def _mail_schedules(
    *,
    event: Event,
    entry: EventLogEntry,
    registrations: list[Registration],
    template_prefix: str,
) -> int:
    """One mail per person with their own schedule; the key makes it once per log entry."""
    schedules = personal_schedules(event=event, registration_ids=[r.pk for r in registrations])
    url = settings.SITE_URL + reverse("events:my-schedule", args=[event.slug])
    queued = 0
    for registration in registrations:
        message = message_render_and_queue(
            kind=MessageKind.EVENT_UPDATES,
            template_prefix=template_prefix,
            context={
                "event": event,
                "registration": registration,
                "meetings": schedules.get(registration.pk, []),
                "url": url,
            },
            user=registration.person,
            dedupe_key=f"event-log:{entry.pk}:{registration.person_id}",
        )
        queued += message is not None
    return queued


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seatmate:
    """Someone at the same table. Seen by whoever sits with them, listed or not."""

    registration_id: int
    person_id: int
    name: str
    role: StrOrPromise
    brings: str


@dataclass(frozen=True)
class PersonalMeeting:
    meeting_id: int
    round: int
    table: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    others: tuple[Seatmate, ...]


def personal_schedules(
    *, event: Event, registration_ids: Iterable[int]
) -> dict[int, list[PersonalMeeting]]:
    """Each registration's meetings in round order, with whom they meet: two queries."""
    wanted = set(registration_ids)
    meetings = (
        Meeting.objects.filter(event=event, seats__registration_id__in=wanted)
        .distinct()
        .order_by("round", "table")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=MeetingSeat.objects.select_related("registration__person").order_by(
                    "registration__person__name", "pk"
                ),
            )
        )
    )
    schedules: dict[int, list[PersonalMeeting]] = defaultdict(list)
    for meeting in meetings:
        starts_at = round_start(event, meeting.round)
        seats = list(meeting.seats.all())
        for seat in seats:
            if seat.registration_id not in wanted:
                continue
            schedules[seat.registration_id].append(
                PersonalMeeting(
                    meeting_id=meeting.pk,
                    round=meeting.round,
                    table=meeting.table,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=event.minutes_per_round),
                    reason=meeting.reason,
                    # Someone who cancelled after the schedule was made will not come.
                    others=tuple(
                        _seatmate(other)
                        for other in seats
                        if other.registration_id != seat.registration_id
                        and other.registration.state in TAKING_PART
                    ),
                )
            )
    return dict(schedules)


def _seatmate(seat: MeetingSeat) -> Seatmate:
    registration = seat.registration
    return Seatmate(
        registration_id=registration.pk,
        person_id=registration.person_id,
        name=registration.person.name,
        # The lazy label, so a mail shows it in the recipient's language.
        role=RoleAtEvent(registration.role_at_event).label,
        brings=registration.brings,
    )


@dataclass(frozen=True)
class GridCell:
    table: int
    meeting: Meeting | None
    people: tuple[Registration, ...]


@dataclass(frozen=True)
class GridRow:
    round: int
    starts_at: datetime
    cells: tuple[GridCell, ...]
    idle: tuple[Registration, ...]  # registered, but at no table this round


def schedule_grid(event: Event) -> list[GridRow]:
    """The coordinators' round x table grid, with who sits idle per round: three queries."""
    meetings = (
        Meeting.objects.filter(event=event)
        .order_by("round", "table")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=MeetingSeat.objects.select_related("registration__person").order_by(
                    "registration__person__name", "pk"
                ),
            )
        )
    )
    at: dict[tuple[int, int], Meeting] = {(m.round, m.table): m for m in meetings}
    taking_part = list(
        Registration.objects.filter(event=event, state__in=TAKING_PART)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    rows = []
    for r in range(1, event.rounds + 1):
        cells = []
        seated: set[int] = set()
        for t in range(1, event.tables + 1):
            meeting = at.get((r, t))
            people = tuple(seat.registration for seat in meeting.seats.all()) if meeting else ()
            seated.update(person.pk for person in people)
            cells.append(GridCell(table=t, meeting=meeting, people=people))
        rows.append(
            GridRow(
                round=r,
                starts_at=round_start(event, r),
                cells=tuple(cells),
                idle=tuple(reg for reg in taking_part if reg.pk not in seated),
            )
        )
    return rows


def is_published(event: Event) -> bool:
    return event.state in PUBLISHED_STATES and event.schedule_published_at is not None


# --- Helpers ----------------------------------------------------------------------------


def _check_coordinator(actor: User) -> None:
    if not is_coordinator(actor):
        raise EventError(_("Only coordinators can do this."))


def _lock_event(event_id: int) -> Event:
    return lock_rows(Event.objects.filter(pk=event_id)).get()
