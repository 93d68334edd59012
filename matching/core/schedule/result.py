"""What a schedule is, as build_schedule returns it, with each table's explanation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from events.schedule_input import ProposedMeeting, ScheduleProposal


@dataclass(frozen=True)
class PairPoints:
    """What one table earns, by reason; summed over its pairs."""

    new: float = 0.0
    themes: float = 0.0
    event_themes: float = 0.0
    roles: float = 0.0
    wishes: float = 0.0

    @property
    def total(self) -> float:
        return self.new + self.themes + self.event_themes + self.roles + self.wishes

    def __add__(self, other: PairPoints) -> PairPoints:
        return PairPoints(
            self.new + other.new,
            self.themes + other.themes,
            self.event_themes + other.event_themes,
            self.roles + other.roles,
            self.wishes + other.wishes,
        )


@dataclass(frozen=True)
class SharedTheme:
    theme_id: int
    participant_ids: tuple[int, ...]  # who at the table has it: two or more
    of_event: bool  # the event is about it too


@dataclass(frozen=True)
class Explanation:
    """Why these people share a table, as data; schedule_builder puts it into words."""

    # The event's themes first, then in the order of problem.themes (by name).
    shared_themes: tuple[SharedTheme, ...]
    mutual_wishes: tuple[tuple[int, int], ...]  # pairs who named each other
    one_sided_wishes: tuple[tuple[int, int], ...]  # (who asked, whom)
    # The roles at the table (in ROLES order) when at least two of them complement each other.
    roles: tuple[str, ...]
    points: PairPoints


@dataclass(frozen=True)
class PlannedTable:
    """One table in one round; its score (the sum of its pairs' points) is Meeting.score."""

    round: int
    table: int
    participant_ids: tuple[int, ...]
    explanation: Explanation

    @property
    def score(self) -> float:
        return self.explanation.points.total


@dataclass(frozen=True)
class Schedule:
    """What build_schedule returns: the tables by round and table, and who sits out."""

    tables: tuple[PlannedTable, ...]
    # Per round (index 0 is round 1): who sits it out, ascending ids.
    idle: tuple[tuple[int, ...], ...]

    @property
    def objective(self) -> float:
        return sum(table.score for table in self.tables)

    def proposal(
        self, reason: Callable[[PlannedTable], str] = lambda table: ""
    ) -> ScheduleProposal:
        """The schedule as events.services.schedule.schedule_save takes it; `reason` puts
        each table's explanation into words (matching.schedule_builder does)."""
        return ScheduleProposal.of(
            ProposedMeeting(
                round=table.round,
                table=table.table,
                participant_ids=table.participant_ids,
                reason=reason(table),
                score=table.score,
            )
            for table in self.tables
        )
