"""An event's scheduling problem and a proposed schedule, as plain data.

This is the seam between `events` and the matching engine (`matching`, issue 6). The engine
reads a ScheduleProblem and returns a ScheduleProposal; events.services.schedule.schedule_save
checks the proposal against the database and stores it. The types below are frozen
dataclasses of ints, strings and tuples, and importing this module imports no Django: the
engine's core can use them and still be tested and benchmarked without a database.
Only schedule_problem(), which reads the models, imports Django, and only when it runs.

Participant ids are Registration primary keys, not user ids: a person's registration is
what sits at a table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events.models import Event


@dataclass(frozen=True)
class Theme:
    id: int
    name: str


@dataclass(frozen=True)
class Participant:
    """One registered person: what they bring and seek, and whom they want to (not) meet.

    `wants` and `rather_not` hold ids of other participants of the same event; choices of
    people who are no longer registered are left out.
    """

    id: int
    role: str  # an events.enums.RoleAtEvent value: researcher, lecturer, practitioner, student
    name: str
    theme_ids: frozenset[int] = frozenset()
    brings: str = ""
    seeks: str = ""
    wants: frozenset[int] = frozenset()
    rather_not: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ScheduleProblem:
    """What a schedule must fit: rounds x tables with seats_per_table seats each."""

    event_id: int
    rounds: int
    tables: int
    seats_per_table: int
    participants: tuple[Participant, ...]
    themes: tuple[Theme, ...] = ()  # every theme a participant or the event names
    event_theme_ids: frozenset[int] = frozenset()

    def rather_not_pairs(self) -> frozenset[frozenset[int]]:
        """Pairs that never sit at one table, whichever of the two asked for it."""
        return frozenset(
            frozenset((participant.id, other))
            for participant in self.participants
            for other in participant.rather_not
        )

    def mutual_wishes(self) -> frozenset[frozenset[int]]:
        """Pairs who both named each other."""
        wants = {participant.id: participant.wants for participant in self.participants}
        return frozenset(
            frozenset((one, other))
            for one, named in wants.items()
            for other in named
            if one in wants.get(other, frozenset())
        )


@dataclass(frozen=True)
class ProposedMeeting:
    """One table in one round: who sits there and, in words for them, why."""

    round: int
    table: int
    participant_ids: tuple[int, ...]
    reason: str = ""
    score: float = 0.0

    def __post_init__(self) -> None:
        # Accept any iterable (a list from the engine, a generator) and keep it immutable.
        object.__setattr__(self, "participant_ids", tuple(self.participant_ids))


@dataclass(frozen=True)
class ScheduleProposal:
    """A whole schedule for one event. Rounds and tables count from 1."""

    meetings: tuple[ProposedMeeting, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "meetings", tuple(self.meetings))

    @classmethod
    def of(cls, meetings: Iterable[ProposedMeeting]) -> ScheduleProposal:
        return cls(meetings=tuple(meetings))


def schedule_problem(event: Event) -> ScheduleProblem:
    """Build the problem for an event from the database in six queries, however many people.

    Only registrations that take part (state registered) are participants.
    """
    # Imported here so that importing the types above never needs Django (see the docstring).
    from events.enums import TAKING_PART  # noqa: PLC0415
    from events.models import Registration  # noqa: PLC0415
    from partners.models import Theme as ThemeModel  # noqa: PLC0415

    registrations = list(
        Registration.objects.filter(event_id=event.pk, state__in=TAKING_PART)
        .order_by("queued_at", "pk")
        .values_list("pk", "role_at_event", "person__name", "brings", "seeks")
    )
    ids = {row[0] for row in registrations}
    themes_of: dict[int, set[int]] = {pk: set() for pk in ids}
    for registration_id, theme_id in Registration.themes.through.objects.filter(
        registration__event_id=event.pk
    ).values_list("registration_id", "theme_id"):
        if registration_id in themes_of:
            themes_of[registration_id].add(theme_id)
    wants = _choices(Registration.wants_to_meet.through, event.pk, ids)
    rather_not = _choices(Registration.rather_not_meet.through, event.pk, ids)
    event_theme_ids = frozenset(event.themes.values_list("pk", flat=True))
    theme_ids = event_theme_ids.union(*themes_of.values())
    themes = tuple(
        Theme(id=pk, name=name)
        for pk, name in ThemeModel.objects.filter(pk__in=theme_ids)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return ScheduleProblem(
        event_id=event.pk,
        rounds=event.rounds,
        tables=event.tables,
        seats_per_table=event.seats_per_table,
        participants=tuple(
            Participant(
                id=pk,
                role=role,
                name=name,
                theme_ids=frozenset(themes_of[pk]),
                brings=brings,
                seeks=seeks,
                wants=frozenset(wants.get(pk, ())),
                rather_not=frozenset(rather_not.get(pk, ())),
            )
            for pk, role, name, brings, seeks in registrations
        ),
        themes=themes,
        event_theme_ids=event_theme_ids,
    )


def _choices(through, event_id: int, ids: set[int]) -> dict[int, set[int]]:
    """Who named whom, among the people who take part."""
    chosen: dict[int, set[int]] = {}
    rows = through.objects.filter(from_registration__event_id=event_id).values_list(
        "from_registration_id", "to_registration_id"
    )
    for source, target in rows:
        if source in ids and target in ids and source != target:
            chosen.setdefault(source, set()).add(target)
    return chosen
