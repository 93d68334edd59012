"""Ranking cohorts in preference mode, while their registration window is open."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from projects.enums import AdmissionMode, CohortState
from projects.models import Cohort, CohortPreference
from projects.services.enrolment import eligibility_problem, lock_student
from projects.services.errors import EnrolmentError


def rankable_cohorts(*, now: datetime) -> list[Cohort]:
    return list(
        Cohort.objects.filter(
            admission_mode=AdmissionMode.PREFERENCE,
            state=CohortState.OPEN,
            registration_opens_at__lte=now,
            registration_closes_at__gt=now,
        )
        .select_related("project")
        .order_by("starts_on", "project__title")
    )


def preferences_set(
    *,
    student: User,
    ranked_cohort_ids: list[int],
    vog_confirmed: bool = False,
    now: datetime | None = None,
) -> list[CohortPreference]:
    """Replace the student's ranking of the cohorts that are open for ranking now.

    Rankings for cohorts whose window has closed stay as they were: the matching engine
    may already have used them.
    """
    limit = settings.PREFERENCE_MAX_CHOICES
    if len(ranked_cohort_ids) > limit:
        raise EnrolmentError(_("You can choose at most %(limit)d groups.") % {"limit": limit})
    if len(set(ranked_cohort_ids)) != len(ranked_cohort_ids):
        raise EnrolmentError(_("You chose the same group twice."))
    with transaction.atomic():
        student = lock_student(student.pk)
        now = now or timezone.now()
        open_cohorts = {cohort.pk: cohort for cohort in rankable_cohorts(now=now)}
        for cohort_id in ranked_cohort_ids:
            cohort = open_cohorts.get(cohort_id)
            if cohort is None:
                raise EnrolmentError(_("One of the groups you chose is not open for ranking."))
            problem = eligibility_problem(
                cohort=cohort, student=student, vog_confirmed=vog_confirmed
            )
            if problem:
                raise EnrolmentError(f"{cohort.project.title}: {problem}")
        CohortPreference.objects.filter(student=student, cohort_id__in=open_cohorts).delete()
        return CohortPreference.objects.bulk_create(
            CohortPreference(student=student, cohort_id=cohort_id, rank=rank, created_at=now)
            for rank, cohort_id in enumerate(ranked_cohort_ids, start=1)
        )
