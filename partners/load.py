"""The load on the city: how many teams a partner hosts and how often residents are asked.

Cohorts live in `projects`, which depends on `partners`, so the team and resident-contact
counts of running cohorts come in through sources that `projects` registers here at start-up.
Until then the load is what `partners` itself knows: accepted challenges still waiting for
their project, each of which will need a team and its resident contacts.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from partners.enums import ChallengeState
from partners.models import Challenge, Neighbourhood, Organisation

# fn(organisation ids) -> {organisation id: number of teams now}
TeamLoadSource = Callable[[Iterable[int]], dict[int, int]]
# fn(neighbourhood ids, first day of month) -> {neighbourhood id: resident contacts that month}
ContactLoadSource = Callable[[Iterable[int], date], dict[int, int]]

_team_sources: list[TeamLoadSource] = []
_contact_sources: list[ContactLoadSource] = []


def register_team_load_source(source: TeamLoadSource) -> None:
    if source not in _team_sources:
        _team_sources.append(source)


def register_contact_load_source(source: ContactLoadSource) -> None:
    if source not in _contact_sources:
        _contact_sources.append(source)


@dataclass(frozen=True)
class Load:
    name: str
    current: int
    budget: int

    def after(self, extra: int) -> int:
        return self.current + extra

    def exceeded_by(self, extra: int) -> bool:
        return self.current + extra > self.budget

    @property
    def close(self) -> bool:
        return self.budget > 0 and self.current >= self.budget * 0.8


def organisation_loads(organisations: Iterable[Organisation]) -> dict[int, Load]:
    """Teams each organisation hosts now, against its budget. Two queries for any number."""
    organisations = list(organisations)
    ids = [organisation.pk for organisation in organisations]
    waiting = dict(
        Challenge.objects.filter(organisation_id__in=ids, state=ChallengeState.ACCEPTED)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    extra = [source(ids) for source in _team_sources]
    return {
        organisation.pk: Load(
            name=organisation.name,
            current=waiting.get(organisation.pk, 0) + sum(s.get(organisation.pk, 0) for s in extra),
            budget=organisation.team_budget,
        )
        for organisation in organisations
    }


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def neighbourhood_loads(neighbourhoods: Iterable[Neighbourhood], month: date) -> dict[int, Load]:
    """Resident contact moments planned in each neighbourhood in one month, against its budget."""
    neighbourhoods = list(neighbourhoods)
    ids = [hood.pk for hood in neighbourhoods]
    first = month_start(month)
    overlapping = Q(desired_start__isnull=True) | Q(desired_start__lte=_month_end(first))
    overlapping &= Q(desired_end__isnull=True) | Q(desired_end__gte=first)
    waiting = dict(
        Challenge.objects.filter(overlapping, state=ChallengeState.ACCEPTED, neighbourhoods__in=ids)
        .values("neighbourhoods")
        .annotate(n=Sum("resident_contacts_per_month"))
        .values_list("neighbourhoods", "n")
    )
    extra = [source(ids, first) for source in _contact_sources]
    return {
        hood.pk: Load(
            name=hood.name,
            current=(waiting.get(hood.pk) or 0) + sum(s.get(hood.pk, 0) for s in extra),
            budget=hood.resident_contact_budget,
        )
        for hood in neighbourhoods
    }


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@dataclass(frozen=True)
class BudgetCheck:
    """What accepting one challenge would do to the budgets it touches."""

    organisation: Load
    neighbourhoods: list[tuple[date, Load]]
    team_delta: int
    contact_delta: int

    @property
    def exceeded(self) -> list[str]:
        over = []
        if self.organisation.exceeded_by(self.team_delta):
            over.append(
                f"{self.organisation.name}: {self.organisation.after(self.team_delta)}"
                f"/{self.organisation.budget}"
            )
        for month, load in self.neighbourhoods:
            if load.exceeded_by(self.contact_delta):
                over.append(
                    f"{load.name} {month:%m-%Y}: {load.after(self.contact_delta)}/{load.budget}"
                )
        return over


def challenge_budget_check(challenge: Challenge, *, today: date) -> BudgetCheck:
    """Loads without this challenge, and what it would add if accepted."""
    counted = challenge.state == ChallengeState.ACCEPTED
    organisation = organisation_loads([challenge.organisation])[challenge.organisation_id]
    start = challenge.desired_start or today
    end = challenge.desired_end or start
    hoods = list(challenge.neighbourhoods.all())
    per_month = [
        (month, load)
        for month in months_between(start, end)
        for load in neighbourhood_loads(hoods, month).values()
    ]
    return BudgetCheck(
        organisation=organisation,
        neighbourhoods=per_month,
        team_delta=0 if counted else 1,
        contact_delta=0 if counted else challenge.resident_contacts_per_month,
    )
