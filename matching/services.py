"""Allocation runs: a dry run the coordinator reviews, then publication through `projects`.

The engine's core (matching.core) works on plain data; this module builds that data from
the projects service (`allocation_input`), keeps the engine's proposal as Placement rows for
review, and hands a published run back to `allocation_publish`, which creates the enrolments
under lock and mails everyone. Nothing here writes a Cohort or an Enrolment itself.
"""

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows
from matching.core.allocation import (
    Allocation,
    AllocationProblem,
    allocate_welfare,
)
from matching.core.allocation import Cohort as FlowCohort
from matching.core.allocation import Partner as FlowPartner
from matching.core.allocation import Student as FlowStudent
from matching.core.stable import (
    Lecturer,
    StableCohort,
    StableProblem,
    StableStudent,
    allocate_stable,
)
from matching.enums import AllocationMode, AllocationRunState, UnplacedReason
from matching.models import AllocationRun, Placement
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from projects.models import Cohort
from projects.services.allocation import (
    AllocationInput,
    PlacementInput,
    allocatable_cohorts,
    allocation_input,
    allocation_publish,
)
from projects.services.errors import CohortError
from projects.services.ranking import applicant_rankings


class AllocationError(Exception):
    """An allocation run cannot be made or published; the message says why, for the user."""


def allocation_dry_run(
    *,
    cohort_ids: Sequence[int],
    mode: AllocationMode,
    actor: User | None,
    now: datetime | None = None,
) -> AllocationRun:
    """Let the engine allocate places over these cohorts and keep its proposal for review.

    `actor` None means the periodic job made it. Raises AllocationError when a cohort is not
    waiting for an allocation or a person other than a coordinator asks. Writes nothing
    outside `matching`.
    """
    if actor is not None and not is_coordinator(actor):
        raise AllocationError(_("Only coordinators can do this."))
    now = now or timezone.now()
    cohort_ids = sorted(set(cohort_ids))
    if not cohort_ids:
        raise AllocationError(_("Choose at least one group."))
    ready = set(allocatable_cohorts(now=now).filter(pk__in=cohort_ids).values_list("pk", flat=True))
    waiting = sorted(set(cohort_ids) - ready)
    if waiting:
        names = ", ".join(str(c) for c in Cohort.objects.filter(pk__in=waiting).order_by("pk"))
        raise AllocationError(
            _(
                "These groups are not waiting for places to be shared out (not by ranking, "
                "registration still open, or already done): %(groups)s."
            )
            % {"groups": names}
        )
    data = allocation_input(cohort_ids)
    allocation = _solve(data, mode=AllocationMode(mode))
    with transaction.atomic():
        run = AllocationRun.objects.create(
            mode=mode, created_by=actor, created_at=now, summary=_summary(data, allocation)
        )
        run.cohorts.set(cohort_ids)
        Placement.objects.bulk_create(_placements(run, data, allocation))
    return run


def _solve(data: AllocationInput, *, mode: AllocationMode) -> Allocation:
    if mode == AllocationMode.STABLE:
        return allocate_stable(_stable_problem(data))
    return allocate_welfare(_welfare_problem(data))


def _welfare_problem(data: AllocationInput) -> AllocationProblem:
    hosts = {host.organisation_id for host in data.hosts}
    return AllocationProblem(
        students=tuple(
            FlowStudent(
                id=s.student_id,
                choices=s.choices,
                eligible=frozenset(s.choices) - s.ineligible,
                level=s.level,
            )
            for s in data.students
        ),
        cohorts=tuple(
            FlowCohort(
                id=c.cohort_id,
                capacity=c.capacity,
                partner_id=c.organisation_id if c.organisation_id in hosts else None,
                min_size=c.min_size,
            )
            for c in data.cohorts
        ),
        partners=tuple(
            FlowPartner(id=h.organisation_id, team_budget=h.teams, seats_per_team=h.seats_per_team)
            for h in data.hosts
        ),
        mixing_weight=settings.ALLOCATION_MIXING_WEIGHT,
    )


def _stable_problem(data: AllocationInput) -> StableProblem:
    """Each CSL project is a 'lecturer' in the sense of the SPA problem: it ranks applicants."""
    project_ids = sorted({c.project_id for c in data.cohorts})
    rankings = applicant_rankings(project_ids=project_ids)
    capacity = Counter()
    for cohort in data.cohorts:
        capacity[cohort.project_id] += cohort.capacity
    return StableProblem(
        students=tuple(
            StableStudent(
                id=s.student_id,
                choices=s.choices,
                eligible=frozenset(s.choices) - s.ineligible,
            )
            for s in data.students
        ),
        cohorts=tuple(
            StableCohort(id=c.cohort_id, capacity=c.capacity, lecturer_id=c.project_id)
            for c in data.cohorts
        ),
        lecturers=tuple(
            Lecturer(
                id=project_id,
                capacity=capacity[project_id],
                ranking=rankings.get(project_id, ()),
            )
            for project_id in project_ids
        ),
    )


def _unplaced_reason(wishes, *, closed: frozenset[int]) -> UnplacedReason:
    eligible = [c for c in wishes.choices if c not in wishes.ineligible]
    if not eligible:
        return UnplacedReason.NONE_ELIGIBLE
    if all(c in closed for c in eligible):
        return UnplacedReason.BELOW_MINIMUM
    return UnplacedReason.FULL


def _placements(
    run: AllocationRun, data: AllocationInput, allocation: Allocation
) -> list[Placement]:
    closed = frozenset(allocation.closed_cohorts)
    rows = []
    for wishes in data.students:
        cohort_id = allocation.assignments.get(wishes.student_id)
        if cohort_id is None:
            rows.append(
                Placement(
                    run=run,
                    student_id=wishes.student_id,
                    unplaced_reason=_unplaced_reason(wishes, closed=closed),
                )
            )
        else:
            rows.append(
                Placement(
                    run=run,
                    student_id=wishes.student_id,
                    cohort_id=cohort_id,
                    rank=wishes.choices.index(cohort_id) + 1,
                )
            )
    return rows


def _summary(data: AllocationInput, allocation: Allocation) -> dict:
    students = len(data.students)
    return {
        "students": students,
        "placed": len(allocation.assignments),
        "unplaced": len(allocation.unplaced),
        "first_choice": allocation.rank_histogram.get(1, 0),
        "rank_histogram": {str(rank): n for rank, n in allocation.rank_histogram.items()},
        "total_rank_cost": allocation.total_rank_cost,
        "closed_cohorts": list(allocation.closed_cohorts),
        "costs": dict(allocation.costs),
    }


def allocation_publish_run(
    *, run_id: int, actor: User, now: datetime | None = None
) -> AllocationRun:
    """Publish a dry run: enrolments for everyone placed, a mail for everyone, exactly once.

    Raises AllocationError when the run is not a dry run any more or projects refuses (a
    group allocated since, a student who may no longer join): nothing is then written.
    """
    if not is_coordinator(actor):
        raise AllocationError(_("Only coordinators can do this."))
    with transaction.atomic():
        run = lock_rows(AllocationRun.objects.all()).get(pk=run_id)
        if run.state != AllocationRunState.DRY_RUN:
            raise AllocationError(
                _("This allocation is %(state)s: only a dry run can be published.")
                % {"state": run.get_state_display()}
            )
        now = now or timezone.now()
        placements = list(run.placements.all())
        try:
            allocation_publish(
                cohort_ids=list(run.cohorts.values_list("pk", flat=True)),
                placements=[
                    PlacementInput(student_id=p.student_id, cohort_id=p.cohort_id, rank=p.rank)
                    for p in placements
                    if p.cohort_id is not None
                ],
                unplaced_reasons={
                    p.student_id: UnplacedReason(p.unplaced_reason).label
                    for p in placements
                    if p.cohort_id is None
                },
                actor=actor,
                key=f"run-{run.pk}",
                now=now,
            )
        except CohortError as error:
            raise AllocationError(str(error)) from error
        run.state = AllocationRunState.PUBLISHED
        run.published_at = now
        run.published_by = actor
        run.save(update_fields=["state", "published_at", "published_by"])
    return run


def allocation_discard(*, run_id: int, actor: User) -> AllocationRun:
    if not is_coordinator(actor):
        raise AllocationError(_("Only coordinators can do this."))
    with transaction.atomic():
        run = lock_rows(AllocationRun.objects.all()).get(pk=run_id)
        if run.state != AllocationRunState.DRY_RUN:
            raise AllocationError(
                _("This allocation is %(state)s: only a dry run can be discarded.")
                % {"state": run.get_state_display()}
            )
        run.state = AllocationRunState.DISCARDED
        run.save(update_fields=["state"])
    return run


def allocation_runs_due(*, now: datetime | None = None) -> list[AllocationRun]:
    """The periodic job: one dry run over the groups whose window closed and that never had one.

    Safe when two runs overlap: the cohorts are locked (skipping none) before the check for
    an open dry run, so the second job waits and then finds the first one's run.
    Side effects: one mail per coordinator per new dry run, asking for review.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            lock_rows(allocatable_cohorts(now=now), of=("self",))
            .filter(allocation_runs=None)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not due:
            return []
        run = allocation_dry_run(cohort_ids=due, mode=AllocationMode.WELFARE, actor=None, now=now)
        _ask_review(run)
    return [run]


def _ask_review(run: AllocationRun) -> int:
    url = settings.SITE_URL + reverse("admin:matching_allocationrun_change", args=[run.pk])
    coordinators = User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR)
    queued = 0
    for person in coordinators.order_by("pk"):
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix="matching/mail/dry_run_ready",
                context={"run": run, "summary": run.summary, "url": url},
                user=person,
                dedupe_key=f"allocation-review:{run.pk}:{person.pk}",
            )
            is not None
        )
    return queued
