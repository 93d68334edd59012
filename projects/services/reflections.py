"""A student's reflection on their group, written at the end.

When a student may write: once their group has ended (it hands over or has completed), as
long as they took part in it (a member, or completed). They may change it while the group
hands over and for AFTERCARE_DAYS after it completed; after that the reflection is part of
their record and stays as it was, so what a lecturer read and graded does not shift.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from lerenmetdestad.locking import lock_rows
from projects.enums import CohortState, EnrolmentState
from projects.models import Cohort, Enrolment, Reflection

# Days after a group completed during which its students may still write or change their
# reflection and log late hours.
AFTERCARE_DAYS = 30
# The places that count as having taken part in a group.
TOOK_PART_STATES = (EnrolmentState.MEMBER, EnrolmentState.COMPLETED)


class ReflectionError(Exception):
    """A rule about reflections was broken; the message is fit to show."""


@dataclass(frozen=True)
class ReflectionText:
    learned: str
    contribution: str
    next_time: str = ""


def aftercare_closes_at(cohort: Cohort) -> datetime | None:
    """When a completed group's students can no longer reflect or log hours; None before."""
    if cohort.state != CohortState.COMPLETED:
        return None
    return cohort.state_changed_at + timedelta(days=AFTERCARE_DAYS)


def reflection_problem(*, enrolment: Enrolment, now: datetime) -> str | None:
    """Why this student cannot write their reflection now, or None if they can."""
    cohort = enrolment.cohort
    if enrolment.state not in TOOK_PART_STATES:
        return _("Only students who took part in the group write a reflection.")
    if cohort.state not in (CohortState.HANDOVER, CohortState.COMPLETED):
        return _("You can write your reflection once the group has finished its work.")
    closes_at = aftercare_closes_at(cohort)
    if closes_at is not None and now >= closes_at:
        return _(
            "The group completed more than %(days)d days ago, so the reflection can no longer "
            "be changed."
        ) % {"days": AFTERCARE_DAYS}
    return None


def reflection_save(
    *, enrolment_id: int, student: User, text: ReflectionText, now: datetime | None = None
) -> Reflection:
    """Write or rewrite the student's reflection on one group.

    The enrolment row is locked, so two saves at once leave one reflection.
    Side effects: none.
    """
    learned, contribution = text.learned.strip(), text.contribution.strip()
    if not learned or not contribution:
        raise ReflectionError(
            _("Write what you learned and what your work meant for the people you worked with.")
        )
    with transaction.atomic():
        enrolment = (
            lock_rows(Enrolment.objects.select_related("cohort"), of=("self",))
            .filter(pk=enrolment_id, student=student)
            .first()
        )
        if enrolment is None:
            raise ReflectionError(_("This registration does not exist."))
        now = now or timezone.now()
        problem = reflection_problem(enrolment=enrolment, now=now)
        if problem:
            raise ReflectionError(problem)
        reflection, _created = Reflection.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "learned": learned,
                "contribution": contribution,
                "next_time": text.next_time.strip(),
                "submitted_at": now,
            },
        )
    return reflection
