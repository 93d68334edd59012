"""Merging a group that stayed below its minimum into another group of the same project.

When registration closes below the minimum team size, the coordinator decides to run the
group anyway, cancel it, or merge it. Merging moves its students to the other group: into
free places first, then onto that group's waiting list, in the order they had.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from projects.enums import CohortState, EnrolmentState
from projects.models import Cohort, CohortLogEntry, Enrolment
from projects.services.cohorts import CohortAction
from projects.services.enrolment import eligibility_problem, lock_student, member_count
from projects.services.errors import CohortError
from projects.services.next_open import project_next_open_refresh

S = CohortState
E = EnrolmentState
MERGEABLE = frozenset({S.OPEN, S.CLOSED})


def merge_targets(cohort: Cohort) -> list[Cohort]:
    """Other groups of the same project that can take this one in."""
    return list(
        Cohort.objects.filter(project_id=cohort.project_id, state__in=MERGEABLE)
        .exclude(pk=cohort.pk)
        .order_by("starts_on")
    )


def cohort_merge(
    *, source_id: int, target_id: int, actor: User, now: datetime | None = None
) -> Cohort:
    """Move the source group's students to the target group and cancel the source.

    Locks both groups (by primary key, the order used everywhere), then each student.
    A student who may not join the target (two intensive projects at once) stays behind in
    the cancelled group and is told so. Side effects: log entries on both groups, the
    project's next_open_start, and one mail per student.
    """
    if not is_coordinator(actor):
        raise CohortError(_("Only coordinators can do this."))
    if source_id == target_id:
        raise CohortError(_("Choose another group to merge with."))
    with transaction.atomic():
        locked = {
            cohort.pk: cohort
            for cohort in lock_rows(
                Cohort.objects.select_related("project")
                .filter(pk__in=[source_id, target_id])
                .order_by("pk")
            )
        }
        source, target = locked[source_id], locked[target_id]
        now = now or timezone.now()
        if source.project_id != target.project_id:
            raise CohortError(_("Groups can only be merged within the same project."))
        if source.state not in MERGEABLE or target.state not in MERGEABLE:
            raise CohortError(
                _("Only groups whose registration is open or just closed can be merged.")
            )

        waiting_in_source = (
            Enrolment.objects.filter(cohort=source, state__in=[E.MEMBER, E.WAITLISTED]).order_by(
                "state", "queued_at", "pk"
            )  # "member" sorts before "waitlisted"
        )
        free = target.max_size - member_count(target)
        moved, stayed = [], []
        for index, enrolment in enumerate(waiting_in_source):
            student = lock_student(enrolment.student_id)
            if eligibility_problem(
                cohort=target, student=student, vog_confirmed=enrolment.vog_confirmed
            ):
                stayed.append(enrolment)
                continue
            state = E.MEMBER if free > 0 else E.WAITLISTED
            free -= state == E.MEMBER
            moved.append(
                _move(enrolment, target=target, state=state, at=now + timedelta(microseconds=index))
            )

        from_state = source.state
        source.state = S.CANCELLED
        source.state_changed_at = now
        source.save(update_fields=["state", "state_changed_at"])
        project_next_open_refresh(project_id=source.project_id)
        data = {"from": source.pk, "into": target.pk, "moved": [e.student_id for e in moved]}
        entry = CohortLogEntry.objects.create(
            cohort=source,
            actor=actor,
            action=CohortAction.MERGE,
            from_state=from_state,
            to_state=S.CANCELLED,
            data=data,
            created_at=now,
        )
        CohortLogEntry.objects.create(
            cohort=target,
            actor=actor,
            action=CohortAction.MERGE_IN,
            from_state=target.state,
            to_state=target.state,
            data=data,
            created_at=now,
        )
        for enrolment in moved + stayed:
            _notify(enrolment=enrolment, source=source, target=target, entry=entry)
    return target


def _move(
    enrolment: Enrolment, *, target: Cohort, state: EnrolmentState, at: datetime
) -> Enrolment:
    # A student may already have a row in the target (they left it, or wait there); the
    # database allows one row per student and group, so that row carries the move.
    existing = Enrolment.objects.filter(cohort=target, student_id=enrolment.student_id).first()
    if existing is not None:
        enrolment.state = E.WITHDRAWN
        enrolment.state_changed_at = at
        enrolment.save(update_fields=["state", "state_changed_at"])
        enrolment = existing
    enrolment.cohort = target
    enrolment.state = state
    enrolment.queued_at = at
    enrolment.state_changed_at = at
    enrolment.save(update_fields=["cohort", "state", "queued_at", "state_changed_at"])
    return enrolment


def _notify(*, enrolment: Enrolment, source: Cohort, target: Cohort, entry: CohortLogEntry) -> None:
    message_render_and_queue(
        kind=MessageKind.PROJECT_UPDATES,
        template_prefix="projects/mail/cohort_merged",
        context={
            "enrolment": enrolment,
            "source": source,
            "target": target,
            "project": target.project,
            "moved": enrolment.cohort_id == target.pk,
            "url": settings.SITE_URL + reverse("projects:mine"),
        },
        user=enrolment.student,
        dedupe_key=f"cohort-log:{entry.pk}:{enrolment.student_id}",
    )
