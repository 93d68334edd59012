"""Allocating places in preference mode: what the matching engine reads, and writing its result.

The engine (the `matching` app) decides who goes where; this module is how its decision
becomes enrolments. `projects` never imports `matching`: the engine hands over plain data
(student, cohort and rank triples) and this module checks them again under lock, because
time passes between a dry run and its publication.

Lock order, as in projects.services.enrolment: cohorts first (in id order), then students
(in id order), so publishing never waits in a circle with a student joining or withdrawing.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows, race_window
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from partners.enums import CslLevel
from partners.load import organisation_loads
from partners.models import Organisation
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, CohortLogEntry, CohortPreference, Enrolment
from projects.services.cohorts import CohortAction
from projects.services.enrolment import PLACE_STATES
from projects.services.errors import CohortError

# Registration has closed, or is closing now, but nobody has been placed yet.
ALLOCATABLE_STATES = frozenset({CohortState.OPEN, CohortState.CLOSED})
PUBLISH_ACTION = "allocation_publish"


@dataclass(frozen=True)
class PlacementInput:
    """One student placed in one cohort, at the rank the cohort had on their list."""

    student_id: int
    cohort_id: int
    rank: int


@dataclass(frozen=True)
class PublishOutcome:
    placed: int
    unplaced: int
    mails_queued: int


def allocatable_cohorts(*, now: datetime) -> QuerySet[Cohort]:
    """Cohorts in preference mode whose registration window has closed and that wait for places."""
    return Cohort.objects.filter(
        admission_mode=AdmissionMode.PREFERENCE,
        state__in=ALLOCATABLE_STATES,
        registration_closes_at__lte=now,
        allocated_at=None,
    )


@dataclass(frozen=True)
class CohortSeats:
    """A cohort as the engine sees it: free places, minimum size and the hosting partner."""

    cohort_id: int
    project_id: int
    label: str
    capacity: int
    min_size: int
    # The organisation whose hosting budget the team counts against: the project's first
    # partner by id (most projects have one; load.py counts a team against each of them).
    organisation_id: int | None


@dataclass(frozen=True)
class HostBudget:
    organisation_id: int
    # Teams this allocation may start for the organisation: its budget minus the teams it
    # hosts outside this allocation, plus any of these cohorts a coordinator opened beyond
    # the budget on purpose (that decision is not taken back here).
    teams: int
    seats_per_team: int


@dataclass(frozen=True)
class StudentWishes:
    student_id: int
    level: str
    choices: tuple[int, ...]
    ineligible: frozenset[int]


@dataclass(frozen=True)
class AllocationInput:
    cohorts: tuple[CohortSeats, ...]
    hosts: tuple[HostBudget, ...]
    students: tuple[StudentWishes, ...]


def allocation_input(cohort_ids: Sequence[int]) -> AllocationInput:
    """What the engine needs about these cohorts, as plain data, in a fixed number of queries."""
    cohorts = list(
        Cohort.objects.filter(pk__in=cohort_ids)
        .select_related("project")
        .prefetch_related("project__organisations")
        .annotate(members=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.MEMBER)))
        .order_by("pk")
    )
    seats = tuple(
        CohortSeats(
            cohort_id=cohort.pk,
            project_id=cohort.project_id,
            label=str(cohort),
            capacity=max(0, cohort.max_size - cohort.members),
            min_size=cohort.min_size,
            organisation_id=min((o.pk for o in cohort.project.organisations.all()), default=None),
        )
        for cohort in cohorts
    )
    preferences = allocation_preferences([c.cohort_id for c in seats])
    student_ids = sorted(preferences)
    levels = _education_kinds(student_ids)
    blocked: dict[int, set[int]] = {}
    for student_id, cohort_id in allocation_ineligible(
        ((s, c) for s, choices in preferences.items() for c in choices),
        within=[c.cohort_id for c in seats],
        kinds=levels,
    ):
        blocked.setdefault(student_id, set()).add(cohort_id)
    students = tuple(
        StudentWishes(
            student_id=student_id,
            level=levels.get(student_id, ""),
            choices=tuple(preferences[student_id]),
            ineligible=frozenset(blocked.get(student_id, ())),
        )
        for student_id in student_ids
    )
    return AllocationInput(cohorts=seats, hosts=_host_budgets(seats), students=students)


def _host_budgets(seats: Sequence[CohortSeats]) -> tuple[HostBudget, ...]:
    in_run: dict[int, list[CohortSeats]] = {}
    for cohort in seats:
        if cohort.organisation_id is not None:
            in_run.setdefault(cohort.organisation_id, []).append(cohort)
    organisations = Organisation.objects.filter(pk__in=in_run).order_by("pk")
    loads = organisation_loads(organisations)
    overridden = Counter(
        CohortLogEntry.objects.filter(
            cohort_id__in=[c.cohort_id for c in seats], action=CohortAction.BUDGET_OVERRIDE
        ).values_list("cohort__project__organisations", flat=True)
    )
    hosts = []
    for organisation_id, cohorts in sorted(in_run.items()):
        outside = loads[organisation_id].current - len(cohorts)
        teams = max(0, loads[organisation_id].budget - outside) + overridden[organisation_id]
        hosts.append(
            HostBudget(
                organisation_id=organisation_id,
                teams=min(teams, len(cohorts)),
                seats_per_team=max(c.capacity for c in cohorts),
            )
        )
    return tuple(hosts)


def allocation_preferences(cohort_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each student's ranked cohort ids (best first), among these cohorts only."""
    ranked: dict[int, list[int]] = {}
    rows = (
        CohortPreference.objects.filter(cohort_id__in=cohort_ids)
        .order_by("student_id", "rank", "cohort_id")
        .values_list("student_id", "cohort_id")
    )
    for student_id, cohort_id in rows:
        ranked.setdefault(student_id, []).append(cohort_id)
    return ranked


def allocation_ineligible(
    pairs: Iterable[tuple[int, int]],
    *,
    within: Sequence[int],
    kinds: dict[int, str] | None = None,
) -> set[tuple[int, int]]:
    """Which of these (student, cohort) pairs the rules forbid now, in three queries.

    The same rules as eligibility_problem (type of education, no two intensive projects at
    once), read in bulk; places in the cohorts `within` (the allocation's own) do not count
    as clashes. `kinds` (student id -> type of education) saves a query when the caller has
    them. The certificate of conduct was confirmed when the student ranked.
    """
    pairs = set(pairs)
    student_ids = sorted({student_id for student_id, _cohort in pairs})
    cohorts = Cohort.objects.filter(pk__in={cohort_id for _student, cohort_id in pairs})
    cohort_of = {cohort.pk: cohort for cohort in cohorts.select_related("project")}
    kinds = kinds if kinds is not None else _education_kinds(student_ids)
    busy = _intensive_places(student_ids, exclude=within)
    return {
        (student_id, cohort_id)
        for student_id, cohort_id in pairs
        if _forbidden(cohort_of[cohort_id], kinds.get(student_id, ""), busy.get(student_id, ()))
    }


def _forbidden(cohort: Cohort, kind: str, busy: Iterable[tuple]) -> bool:
    if kind not in cohort.project.institution_kinds:
        return True
    return cohort.project.csl_level == CslLevel.INTENSIVE and any(
        start <= cohort.ends_on and end >= cohort.starts_on for start, end in busy
    )


def _education_kinds(student_ids: Sequence[int]) -> dict[int, str]:
    students = User.objects.filter(pk__in=student_ids).select_related(
        "student_profile__institution"
    )
    return {student.pk: _education_kind(student) for student in students}


def _education_kind(student: User) -> str:
    profile = getattr(student, "student_profile", None)
    if profile is None:
        return ""
    return (profile.institution.kind if profile.institution else "") or profile.level


def _intensive_places(
    student_ids: Sequence[int], *, exclude: Sequence[int]
) -> dict[int, list[tuple]]:
    """The dates of intensive cohorts each student holds a place in, outside `exclude`."""
    places: dict[int, list[tuple]] = {}
    rows = (
        Enrolment.objects.filter(
            student_id__in=student_ids,
            state__in=PLACE_STATES,
            cohort__project__csl_level=CslLevel.INTENSIVE,
        )
        .exclude(cohort_id__in=exclude)
        .exclude(cohort__state=CohortState.CANCELLED)
        .values_list("student_id", "cohort__starts_on", "cohort__ends_on")
    )
    for student_id, starts_on, ends_on in rows:
        places.setdefault(student_id, []).append((starts_on, ends_on))
    return places


def allocation_publish(
    *,
    cohort_ids: Sequence[int],
    placements: Sequence[PlacementInput],
    unplaced_reasons: Mapping[int, str | Promise],
    actor: User,
    key: str,
    now: datetime | None = None,
) -> PublishOutcome:
    """Turn an allocation into member enrolments, in one transaction, and mail everyone.

    Refuses (CohortError, nothing written) when the actor is not a coordinator, when a cohort
    is not waiting for an allocation any more (already allocated, cancelled, started, or not
    in preference mode), when a placement falls outside the given cohorts, when a student would
    get more places than a cohort has, or would break a rule that changed since the dry run.
    `key` names the allocation (e.g. the run's id) so its mails are queued once.
    Side effects: Cohort.allocated_at set and a log entry per cohort; one mail per placed
    student and one per unplaced student (`unplaced_reasons`: student id -> why, lazily
    translated so each mail speaks its reader's language).
    """
    if not is_coordinator(actor):
        raise CohortError(_("Only coordinators can do this."))
    cohort_ids = sorted(set(cohort_ids))
    by_cohort: dict[int, list[PlacementInput]] = {}
    for placement in placements:
        by_cohort.setdefault(placement.cohort_id, []).append(placement)
    if set(by_cohort) - set(cohort_ids):
        raise CohortError(_("A placement names a group that is not part of this allocation."))
    placed_ids = [placement.student_id for placement in placements]
    if len(set(placed_ids)) != len(placed_ids):
        raise CohortError(_("A student is placed in more than one group."))

    with transaction.atomic():
        cohorts = list(
            lock_rows(Cohort.objects.select_related("project"))
            .filter(pk__in=cohort_ids)
            .order_by("pk")
        )
        if len(cohorts) != len(cohort_ids):
            raise CohortError(_("One of the groups no longer exists."))
        everyone = sorted(set(placed_ids) | set(unplaced_reasons))
        students = {
            student.pk: student
            for student in lock_rows(User.objects.all()).filter(pk__in=everyone).order_by("pk")
        }
        now = now or timezone.now()
        for cohort in cohorts:
            _check_waiting(cohort)
            taken = len(by_cohort.get(cohort.pk, ()))
            if taken > cohort.max_size:
                raise CohortError(
                    _(
                        "The allocation puts %(n)s students in %(cohort)s, "
                        "which has %(places)s places."
                    )
                    % {"n": taken, "cohort": cohort, "places": cohort.max_size}
                )
        blocked = allocation_ineligible(
            ((p.student_id, p.cohort_id) for p in placements), within=cohort_ids
        )
        broken = sorted(
            str(students[p.student_id])
            for p in placements
            if (p.student_id, p.cohort_id) in blocked
        )
        if broken:
            raise CohortError(
                _(
                    "Since the dry run, these students may no longer join their group: "
                    "%(names)s. Make a new dry run."
                )
                % {"names": ", ".join(broken)}
            )
        race_window()
        cohort_of = {cohort.pk: cohort for cohort in cohorts}
        enrolments = Enrolment.objects.bulk_create(
            Enrolment(
                cohort_id=p.cohort_id,
                student_id=p.student_id,
                state=EnrolmentState.MEMBER,
                vog_confirmed=cohort_of[p.cohort_id].project.works_with_vulnerable_residents,
                queued_at=now,
                created_at=now,
                state_changed_at=now,
                decided_by=actor,
            )
            for p in sorted(placements, key=lambda p: (p.cohort_id, p.student_id))
        )
        for cohort in cohorts:
            cohort.allocated_at = now
            cohort.save(update_fields=["allocated_at"])
        CohortLogEntry.objects.bulk_create(
            CohortLogEntry(
                cohort=cohort,
                actor=actor,
                action=PUBLISH_ACTION,
                from_state=cohort.state,
                to_state=cohort.state,
                data={"allocation": key, "members": len(by_cohort.get(cohort.pk, ()))},
                created_at=now,
            )
            for cohort in cohorts
        )
        rank_of = {p.student_id: p.rank for p in placements}
        mails = _mail_placed(
            enrolments, cohort_of=cohort_of, students=students, rank_of=rank_of, key=key
        )
        mails += _mail_unplaced(unplaced_reasons, students=students, key=key)
    return PublishOutcome(
        placed=len(enrolments), unplaced=len(unplaced_reasons), mails_queued=mails
    )


def _check_waiting(cohort: Cohort) -> None:
    if cohort.admission_mode != AdmissionMode.PREFERENCE:
        raise CohortError(
            _("%(cohort)s does not take students by ranking of preferences.") % {"cohort": cohort}
        )
    if cohort.allocated_at is not None:
        raise CohortError(
            _("Places in %(cohort)s have already been allocated.") % {"cohort": cohort}
        )
    if cohort.state not in ALLOCATABLE_STATES:
        raise CohortError(
            _("Places in %(cohort)s cannot be allocated now: the group is %(state)s.")
            % {"cohort": cohort, "state": cohort.get_state_display()}
        )


def _mail_placed(
    enrolments: list[Enrolment],
    *,
    cohort_of: dict[int, Cohort],
    students: dict[int, User],
    rank_of: dict[int, int],
    key: str,
) -> int:
    url = settings.SITE_URL + reverse("projects:mine")
    queued = 0
    for enrolment in enrolments:
        cohort = cohort_of[enrolment.cohort_id]
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix="projects/mail/allocation_placed",
                context={
                    "cohort": cohort,
                    "project": cohort.project,
                    "student": students[enrolment.student_id],
                    "rank": rank_of[enrolment.student_id],
                    "url": url,
                },
                user=students[enrolment.student_id],
                dedupe_key=f"allocation:{key}:{enrolment.student_id}",
            )
            is not None
        )
    return queued


def _mail_unplaced(
    reasons: Mapping[int, str | Promise], *, students: dict[int, User], key: str
) -> int:
    url = settings.SITE_URL + reverse("projects:list")
    queued = 0
    for student_id in sorted(reasons):
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix="projects/mail/allocation_unplaced",
                context={
                    "student": students[student_id],
                    "reason": reasons[student_id],
                    "url": url,
                },
                user=students[student_id],
                dedupe_key=f"allocation:{key}:{student_id}",
            )
            is not None
        )
    return queued
