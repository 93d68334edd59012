"""The coordinators' dashboard: every figure, each in one aggregate query.

What the filters mean, figure by figure (the dashboard says the same in its notes):
- challenges: the theme and neighbourhood narrow them through the challenge's own themes and
  neighbourhoods; a period keeps those created between its first and last day.
- cohorts, active students and confirmed hours: a period keeps the cohorts linked to it
  (Cohort.period); theme and neighbourhood go through the cohort's project.
- an *active* student is a student with a place (member, or already completed) in a cohort
  that is running or handing over: a team at work now. A past period therefore shows none;
  the impact report tells what such a period brought.
- events ahead: a theme keeps events on it; a period keeps events starting within it.
- the load on partners and neighbourhoods is the load now (this month for neighbourhoods),
  whatever period is chosen: the budgets guard the present. A neighbourhood narrows both
  tables to it (organisations: those working there); a theme keeps organisations with a
  challenge on it.

No figure costs a query per row: the view's query count is the same for one row or a
thousand (tests/coordination/test_dashboard.py).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    Aggregate,
    Count,
    Exists,
    FloatField,
    Func,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from accounts.enums import InstitutionKind
from accounts.models import ErasureFailure
from events.enums import EventState
from events.models import Event
from events.selectors import with_places
from partners.enums import REVIEW_QUEUE_STATES, ChallengeState
from partners.load import Load, neighbourhood_loads, organisation_loads
from partners.models import Challenge, Neighbourhood, Organisation, Theme
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import AcademicPeriod, Cohort, Enrolment, HoursEntry, Project

# A place that counts as taking part: a member now, or one who finished the cohort.
TAKING_PART = frozenset({EnrolmentState.MEMBER, EnrolmentState.COMPLETED})
# Cohorts whose team is at work.
AT_WORK = frozenset({CohortState.RUNNING, CohortState.HANDOVER})
# Events no longer going ahead are left out of "events ahead".
NOT_AHEAD = frozenset({EventState.CANCELLED, EventState.CLOSED})


class Median(Aggregate):
    """PostgreSQL's continuous median (percentile_cont(0.5))."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def days_since(field: str, today: date) -> Func:
    """Whole days from the local date of a timestamp to today (date - date is an integer)."""
    return Func(
        Value(today),
        TruncDate(field),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class DashboardFilters:
    period: AcademicPeriod | None = None
    theme: Theme | None = None
    neighbourhood: Neighbourhood | None = None


@dataclass(frozen=True)
class Row:
    """One row of a figure: a key (for tests and links), a label and its number."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class StateWait:
    """A challenge state with its count and, for waiting states, how long they wait."""

    state: str
    label: str
    count: int
    median_days: float | None
    oldest_days: int | None
    waiting: bool


@dataclass(frozen=True)
class LoadRow:
    name: str
    current: int
    budget: int

    @property
    def over(self) -> bool:
        return self.current > self.budget

    @property
    def close(self) -> bool:
        return not self.over and Load(self.name, self.current, self.budget).close


@dataclass(frozen=True)
class ConfirmedHours:
    hours: Decimal
    students: int


@dataclass(frozen=True)
class Dashboard:
    challenges: list[StateWait]
    cohorts: list[Row]
    students_by_institution_kind: list[Row]
    students_by_theme: list[Row]
    active_students: int
    hours: ConfirmedHours
    events: list[Event]
    organisation_loads: list[LoadRow]
    neighbourhood_loads: list[LoadRow]
    load_month: date
    erasure_failures: int


# --- Scopes ------------------------------------------------------------------------------------


def _linked(through: type[Model], column: str, ref: str, **other: int) -> Exists:
    """Whether a row of a many-to-many table links the outer row to `other`: its `column`
    equals the outer `ref`. A subquery (EXISTS), so no filter duplicates the outer row."""
    return Exists(through.objects.filter(**{column: OuterRef(ref)}, **other))


def _within(field: str, period: AcademicPeriod) -> Q:
    """The local date of timestamp `field` falls within the period, both ends included."""
    return Q(**{f"{field}__date__gte": period.starts_on, f"{field}__date__lte": period.ends_on})


def _challenges(filters: DashboardFilters) -> QuerySet[Challenge]:
    challenges = Challenge.objects.all()
    if filters.theme:
        challenges = challenges.filter(
            _linked(Challenge.themes.through, "challenge_id", "pk", theme_id=filters.theme.pk)
        )
    if filters.neighbourhood:
        challenges = challenges.filter(
            _linked(
                Challenge.neighbourhoods.through,
                "challenge_id",
                "pk",
                neighbourhood_id=filters.neighbourhood.pk,
            )
        )
    if filters.period:
        challenges = challenges.filter(_within("created_at", filters.period))
    return challenges


def cohort_scope(filters: DashboardFilters, prefix: str = "") -> Q:
    """The cohorts the filters keep, as a condition on `prefix` + cohort fields."""
    condition = Q()
    if filters.period:
        condition &= Q(**{f"{prefix}period_id": filters.period.pk})
    if filters.theme:
        condition &= Q(
            _linked(
                Project.themes.through,
                "project_id",
                f"{prefix}project_id",
                theme_id=filters.theme.pk,
            )
        )
    if filters.neighbourhood:
        condition &= Q(**{f"{prefix}project__neighbourhood_id": filters.neighbourhood.pk})
    return condition


# --- Figures -----------------------------------------------------------------------------------


def challenges_by_state(filters: DashboardFilters, *, today: date) -> list[StateWait]:
    """Every challenge state with its count; for submitted and in review also the median and
    the longest number of days in that state so far. One query."""
    waited = days_since("state_changed_at", today)
    rows = {
        row["state"]: row
        for row in _challenges(filters)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"), median=Median(waited), oldest=Max(waited))
    }
    result = []
    for state in ChallengeState:
        row = rows.get(state.value)
        waiting = state in REVIEW_QUEUE_STATES
        result.append(
            StateWait(
                state=state.value,
                label=state.label,
                count=row["n"] if row else 0,
                median_days=round(row["median"], 1) if row and waiting else None,
                oldest_days=row["oldest"] if row and waiting else None,
                waiting=waiting,
            )
        )
    return result


def cohorts_by_state(filters: DashboardFilters) -> list[Row]:
    """Every cohort state with its number of cohorts. One query."""
    counts = dict(
        Cohort.objects.filter(cohort_scope(filters))
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return [Row(state.value, state.label, counts.get(state.value, 0)) for state in CohortState]


def _active_enrolments(filters: DashboardFilters) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        cohort_scope(filters, "cohort__"), state__in=TAKING_PART, cohort__state__in=AT_WORK
    ).order_by()


def active_students_by_institution_kind(filters: DashboardFilters) -> list[Row]:
    """Distinct active students per type of institution (mbo, hbo, university), and those
    whose profile names no institution. One query; each student counts once."""
    counts = dict(
        _active_enrolments(filters)
        .values("student__student_profile__institution__kind")
        .annotate(n=Count("student", distinct=True))
        .values_list("student__student_profile__institution__kind", "n")
    )
    rows = [Row(kind.value, kind.label, counts.get(kind.value, 0)) for kind in InstitutionKind]
    if counts.get(None):
        rows.append(Row("", _("Institution unknown"), counts[None]))
    return rows


def active_students_by_theme(filters: DashboardFilters) -> list[Row]:
    """Distinct active students per theme of their project. A project on two themes counts
    its students under both, so the rows may add up to more than the students. One query."""
    rows = (
        _active_enrolments(filters)
        .filter(cohort__project__themes__isnull=False)
        .values("cohort__project__themes__slug", "cohort__project__themes__name")
        .annotate(n=Count("student", distinct=True))
        .order_by("-n", "cohort__project__themes__name")
    )
    return [
        Row(row["cohort__project__themes__slug"], row["cohort__project__themes__name"], row["n"])
        for row in rows
    ]


def confirmed_hours(filters: DashboardFilters) -> ConfirmedHours:
    """Hours confirmed by a lecturer or partner, and how many students logged them. One query."""
    totals = HoursEntry.objects.filter(
        cohort_scope(filters, "enrolment__cohort__"), state=HoursState.CONFIRMED
    ).aggregate(hours=Sum("hours"), students=Count("enrolment__student", distinct=True))
    return ConfirmedHours(hours=totals["hours"] or Decimal(0), students=totals["students"])


def events_ahead(filters: DashboardFilters, *, now: datetime) -> list[Event]:
    """Events that have not started, soonest first, with registered_total, waiting_total and
    places_left. One query."""
    events = Event.objects.filter(starts_at__gte=now).exclude(state__in=NOT_AHEAD)
    if filters.theme:
        events = events.filter(
            _linked(Event.themes.through, "event_id", "pk", theme_id=filters.theme.pk)
        )
    if filters.period:
        events = events.filter(_within("starts_at", filters.period))
    return list(with_places(events).order_by("starts_at", "pk"))


def organisation_load_rows(filters: DashboardFilters) -> list[LoadRow]:
    """Organisations hosting at least one team now, fullest first. Three queries: the
    organisations, accepted challenges waiting for a project, and the registered sources
    (projects' cohorts)."""
    organisations = Organisation.objects.all()
    if filters.neighbourhood:
        organisations = organisations.filter(
            _linked(
                Organisation.neighbourhoods.through,
                "organisation_id",
                "pk",
                neighbourhood_id=filters.neighbourhood.pk,
            )
        )
    if filters.theme:
        organisations = organisations.filter(
            _linked(
                Challenge.themes.through,
                "challenge__organisation_id",
                "pk",
                theme_id=filters.theme.pk,
            )
        )
    loads = organisation_loads(organisations.only("pk", "name", "team_budget"))
    rows = [
        LoadRow(load.name, load.current, load.budget) for load in loads.values() if load.current
    ]
    return sorted(rows, key=_fullest_first)


def neighbourhood_load_rows(
    neighbourhoods: list[Neighbourhood], filters: DashboardFilters, *, month: date
) -> list[LoadRow]:
    """Resident contact moments planned this month against each neighbourhood's budget,
    fullest first. Two queries (the neighbourhoods come in already loaded)."""
    if filters.neighbourhood:
        neighbourhoods = [hood for hood in neighbourhoods if hood.pk == filters.neighbourhood.pk]
    loads = neighbourhood_loads(neighbourhoods, month)
    return sorted(
        (LoadRow(load.name, load.current, load.budget) for load in loads.values()),
        key=_fullest_first,
    )


def erasure_failures() -> int:
    """Accounts past their retention period that the retention job could not erase, whatever
    the filters: they wait for a coordinator. One query."""
    return ErasureFailure.objects.count()


def _fullest_first(row: LoadRow) -> tuple:
    ratio = row.current / row.budget if row.budget else float("inf") if row.current else 0
    return (-ratio, row.name)


def dashboard(
    filters: DashboardFilters, *, neighbourhoods: list[Neighbourhood], now: datetime, today: date
) -> Dashboard:
    """All figures of the dashboard. `neighbourhoods` is every neighbourhood, already loaded
    for the filter form. Twelve queries whatever the amount of data (fewer when a list
    is empty: Django asks nothing for `pk__in=[]`)."""
    by_kind = active_students_by_institution_kind(filters)
    month = today.replace(day=1)
    return Dashboard(
        challenges=challenges_by_state(filters, today=today),
        cohorts=cohorts_by_state(filters),
        students_by_institution_kind=by_kind,
        students_by_theme=active_students_by_theme(filters),
        # Every student has one institution, so the rows per type add up to the students.
        active_students=sum(row.value for row in by_kind),
        hours=confirmed_hours(filters),
        events=events_ahead(filters, now=now),
        organisation_loads=organisation_load_rows(filters),
        neighbourhood_loads=neighbourhood_load_rows(neighbourhoods, filters, month=month),
        load_month=month,
        erasure_failures=erasure_failures(),
    )
