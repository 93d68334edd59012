"""The impact report of one academic year, for boards and councils.

An academic year runs from 1 September to 31 August; it is chosen by its years
("2025-2026"), not by AcademicPeriod, because periods are optional on a cohort and a board
asks about a year. A cohort belongs to the year in which it ends (ends_on). What counts:
- completed cohorts (state completed) that ended in the year, and their distinct projects;
- the students who took part in them (member or completed), their confirmed hours, per theme,
  per neighbourhood and per institution;
- follow-ups recorded after Meet & Match events held in the year;
- public summaries of approved handover dossiers of cohorts that ended in the year;
- partner feedback on those cohorts: its average rating and what went well, in their words.

Ten queries, whatever the amount of data.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from coordination.selectors import TAKING_PART
from events.models import FollowUp
from projects.enums import CohortState, DossierState, HoursState
from projects.models import Cohort, Enrolment, HandoverDossier, PartnerFeedback

FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class AcademicYear:
    first: int

    @classmethod
    def of(cls, day: date) -> "AcademicYear":
        return cls(day.year if day.month >= 9 else day.year - 1)

    @property
    def starts_on(self) -> date:
        return date(self.first, 9, 1)

    @property
    def ends_on(self) -> date:
        return date(self.first + 1, 8, 31)

    @property
    def slug(self) -> str:
        return f"{self.first}-{self.first + 1}"

    @property
    def label(self) -> str:
        return f"{self.first}\N{EN DASH}{self.first + 1}"

    @property
    def previous(self) -> "AcademicYear":
        return AcademicYear(self.first - 1)

    @property
    def next(self) -> "AcademicYear":
        return AcademicYear(self.first + 1)


@dataclass(frozen=True)
class ImpactRow:
    label: str
    cohorts: int
    students: int
    hours: Decimal


@dataclass(frozen=True)
class FeedbackSummary:
    count: int
    average: float | None
    quotes: list[PartnerFeedback]


@dataclass(frozen=True)
class Impact:
    year: AcademicYear
    completed: list[Cohort]
    projects: int
    students: int
    hours: Decimal
    by_theme: list[ImpactRow]
    by_neighbourhood: list[ImpactRow]
    by_institution: list[ImpactRow]
    follow_ups: list[FollowUp]
    highlights: list[HandoverDossier]
    feedback: FeedbackSummary

    @property
    def follow_ups_with_challenge(self) -> int:
        return sum(1 for follow_up in self.follow_ups if follow_up.challenge_id)

    @property
    def follow_ups_with_project(self) -> int:
        return sum(1 for follow_up in self.follow_ups if follow_up.project_id)


def _ended_in(year: AcademicYear, prefix: str = "") -> Q:
    return Q(**{f"{prefix}ends_on__gte": year.starts_on, f"{prefix}ends_on__lte": year.ends_on})


def _taking_part(year: AcademicYear) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(
        _ended_in(year, "cohort__"), cohort__state=CohortState.COMPLETED, state__in=TAKING_PART
    ).order_by()


CONFIRMED = Q(hours__state=HoursState.CONFIRMED)


def _rows_by(year: AcademicYear, field: str, *, unknown: str) -> list[ImpactRow]:
    """Cohorts, students and confirmed hours per value of `field` (on Enrolment). One query.

    Hours join once per enrolment and group value, so each entry is summed once per group.
    """
    rows = (
        _taking_part(year)
        .values(field)
        .annotate(
            cohorts=Count("cohort", distinct=True),
            students=Count("student", distinct=True),
            hours=Sum("hours__hours", filter=CONFIRMED),
        )
        .order_by("-students", field)
    )
    return [
        ImpactRow(
            label=row[field] or unknown,
            cohorts=row["cohorts"],
            students=row["students"],
            hours=row["hours"] or Decimal(0),
        )
        for row in rows
    ]


def impact(year: AcademicYear) -> Impact:
    """Everything the impact report shows for one academic year."""
    completed = list(
        Cohort.objects.filter(_ended_in(year), state=CohortState.COMPLETED)
        .select_related("project__neighbourhood", "project__challenge__organisation")
        .order_by("ends_on", "project__title", "pk")
    )
    totals = _taking_part(year).aggregate(
        students=Count("student", distinct=True), hours=Sum("hours__hours", filter=CONFIRMED)
    )
    follow_ups = list(
        FollowUp.objects.filter(
            meeting__event__starts_at__date__gte=year.starts_on,
            meeting__event__starts_at__date__lte=year.ends_on,
        )
        .select_related(
            "registration__person", "with_person", "meeting__event", "challenge", "project"
        )
        .order_by("meeting__event__starts_at", "created_at", "pk")
    )
    highlights = list(
        HandoverDossier.objects.filter(_ended_in(year, "cohort__"), state=DossierState.APPROVED)
        .exclude(public_summary="")
        .select_related("cohort__project")
        .order_by("cohort__ends_on", "cohort__project__title", "pk")
    )
    feedback = PartnerFeedback.objects.filter(
        _ended_in(year, "cohort__"), cohort__state=CohortState.COMPLETED
    )
    rating = feedback.aggregate(count=Count("pk"), average=Avg("rating"))
    return Impact(
        year=year,
        completed=completed,
        projects=len({cohort.project_id for cohort in completed}),
        students=totals["students"],
        hours=totals["hours"] or Decimal(0),
        by_theme=_rows_by(year, "cohort__project__themes__name", unknown=_("No theme")),
        by_neighbourhood=_rows_by(
            year, "cohort__project__neighbourhood__name", unknown=_("No neighbourhood")
        ),
        by_institution=_rows_by(
            year, "student__student_profile__institution__name", unknown=_("Institution unknown")
        ),
        follow_ups=follow_ups,
        highlights=highlights,
        feedback=FeedbackSummary(
            count=rating["count"],
            average=round(rating["average"], 1) if rating["average"] is not None else None,
            quotes=list(
                feedback.select_related("organisation", "cohort__project").order_by(
                    "-rating", "-submitted_at", "pk"
                )
            ),
        ),
    )
