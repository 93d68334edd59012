"""Lecturers and partners rank the students who applied to their project: the input of stable mode.

An *applicant* of a project is a student with a preference for one of its preference-mode
cohorts that still waits for its places (allocated_at is null). A ranking for cohorts that
have been allocated can change nothing, so their applicants are not asked about.

The stable allocation treats each project as the "lecturer" of the SPA problem: it reads one
ranking per project over all its applicants (`applicant_ranking`). Unranked applicants come
last, first come first: by when they saved their preference, then by student id.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import F, Min, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import InstitutionKind
from accounts.models import User
from lerenmetdestad.locking import lock_rows, race_window
from projects.enums import AdmissionMode
from projects.models import ApplicantRank, Cohort, CohortPreference, Project
from projects.rules import decides_for_project
from projects.services.errors import EnrolmentError


def rankable_cohorts(project: Project) -> QuerySet[Cohort]:
    """The project's preference-mode cohorts whose places are still to be allocated."""
    return Cohort.objects.filter(
        project=project, admission_mode=AdmissionMode.PREFERENCE, allocated_at=None
    )


def _applications(project_ids: Iterable[int]) -> QuerySet[CohortPreference]:
    return CohortPreference.objects.filter(
        cohort__project_id__in=list(project_ids),
        cohort__admission_mode=AdmissionMode.PREFERENCE,
        cohort__allocated_at=None,
    )


@dataclass(frozen=True)
class ApplicantChoice:
    """One of the project's cohorts on the applicant's own list."""

    cohort_id: int
    cohort_number: int
    starts_on: date
    # The student's own rank of this cohort: 1 is their first choice.
    choice: int


@dataclass(frozen=True)
class Applicant:
    student_id: int
    name: str
    # The level of education, an InstitutionKind value; "" when unknown.
    level: str
    institution: str
    choices: tuple[ApplicantChoice, ...]
    # The project's current rank for this student (1 = taken first), or None.
    rank: int | None
    # When the student first saved a preference for one of the project's cohorts.
    applied_at: datetime

    @property
    def level_label(self) -> str:
        """The level as people read it, in the language active when it is shown."""
        return InstitutionKind(self.level).label if self.level else ""


def applicants_for_ranking(*, project: Project) -> list[Applicant]:
    """The project's applicants in the order the allocation will read them (two queries)."""
    # No ordering: the model's default orders by project, which would join in the project.
    ranks = dict(
        ApplicantRank.objects.filter(project=project).order_by().values_list("student_id", "rank")
    )
    preferences = (
        _applications([project.pk])
        .select_related("student__student_profile__institution", "cohort")
        .order_by("student_id", "cohort__starts_on", "cohort__number")
    )
    by_student: dict[int, list[CohortPreference]] = defaultdict(list)
    for preference in preferences:
        by_student[preference.student_id].append(preference)
    applicants = [_applicant(own, ranks.get(student_id)) for student_id, own in by_student.items()]
    return sorted(applicants, key=_reading_order)


def _applicant(preferences: list[CohortPreference], rank: int | None) -> Applicant:
    student = preferences[0].student
    profile = getattr(student, "student_profile", None)
    institution = profile.institution if profile else None
    kind = (profile.level if profile else "") or (institution.kind if institution else "")
    return Applicant(
        student_id=student.pk,
        name=student.name,
        level=kind,
        institution=institution.name if institution else "",
        choices=tuple(
            ApplicantChoice(
                cohort_id=p.cohort_id,
                cohort_number=p.cohort.number,
                starts_on=p.cohort.starts_on,
                choice=p.rank,
            )
            for p in preferences
        ),
        rank=rank,
        applied_at=min(p.created_at for p in preferences),
    )


def _reading_order(applicant: Applicant) -> tuple:
    unranked = applicant.rank is None
    return (unranked, applicant.rank or 0, applicant.applied_at, applicant.student_id)


def applicant_rankings(*, project_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """For each project, its applicants' ids, best first, in one query.

    Ranked applicants come first, by rank; unranked applicants come last, first come first
    (by when they first saved a preference for the project, then by student id). A ranked
    student who no longer applies is left out. Projects without applicants map to ().
    """
    project_ids = list(project_ids)
    rank = (
        ApplicantRank.objects.filter(
            project_id=OuterRef("cohort__project_id"), student_id=OuterRef("student_id")
        )
        .order_by()
        .values("rank")
    )
    rows = (
        _applications(project_ids)
        .values("cohort__project_id", "student_id")
        .annotate(applied_at=Min("created_at"), project_rank=Subquery(rank))
        .order_by(
            "cohort__project_id",
            F("project_rank").asc(nulls_last=True),
            "applied_at",
            "student_id",
        )
        .values_list("cohort__project_id", "student_id")
    )
    ranking: dict[int, list[int]] = {project_id: [] for project_id in project_ids}
    for project_id, student_id in rows:
        ranking[project_id].append(student_id)
    return {project_id: tuple(ids) for project_id, ids in ranking.items()}


def applicant_ranking(project_id: int) -> tuple[int, ...]:
    """The project's applicants' ids, best first; unranked applicants come last, first come
    first. See `applicant_rankings` to read many projects in one query."""
    return applicant_rankings(project_ids=[project_id])[project_id]


def applicant_ranking_set(
    *,
    project: Project,
    actor: User,
    ranked_student_ids: list[int],
    now: datetime | None = None,
) -> list[ApplicantRank]:
    """Replace the project's ranking of its applicants: the first id gets rank 1, and so on.

    Applicants left out become unranked. Refused (EnrolmentError) when the actor does not
    decide for the project, when no cohort waits for its places, or when an id repeats or is
    not an applicant. No side effects beyond the ranking rows.
    """
    with transaction.atomic():
        # Serialises two people ranking the same project, so ranks never interleave.
        project = lock_rows(Project.objects).get(pk=project.pk)
        if not decides_for_project.test(actor, project):
            raise EnrolmentError(
                _("Only the project's teachers and partner can rank its applicants.")
            )
        if len(set(ranked_student_ids)) != len(ranked_student_ids):
            raise EnrolmentError(_("A student appears more than once in the ranking."))
        if not rankable_cohorts(project).exists():
            raise EnrolmentError(
                _("No group of this project is waiting for places, so there is nothing to rank.")
            )
        applicants = set(
            _applications([project.pk]).order_by().values_list("student_id", flat=True)
        )
        if not applicants.issuperset(ranked_student_ids):
            raise EnrolmentError(
                _("The ranking names a student who has not applied to this project.")
            )
        now = now or timezone.now()
        ApplicantRank.objects.filter(project=project).delete()
        race_window()
        return ApplicantRank.objects.bulk_create(
            ApplicantRank(
                project=project, student_id=student_id, rank=rank, ranked_by=actor, ranked_at=now
            )
            for rank, student_id in enumerate(ranked_student_ids, start=1)
        )
