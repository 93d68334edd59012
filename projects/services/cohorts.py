"""The cohort state machine and the coordinators' other writes on cohorts.

planned → open → closed → running → handover → completed, and cancelled from any state
before the handover. cohort_transition is the one place that allows or refuses a move: it
locks the cohort row, checks the guard against the locked state, saves with update_fields,
writes a log entry and queues the mails in the same transaction, so a transition and its
mails exist together or not at all.

Lock order, the same everywhere in projects: the cohort (with its project) first, then the
partner organisations by primary key, then the neighbourhood, then students.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows, race_window
from lerenmetdestad.transitions import Transition, transitions_by_action
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from partners.load import months_between, neighbourhood_loads, organisation_loads
from partners.models import Neighbourhood, Organisation
from projects.enums import ACTIVE_ENROLMENT_STATES, HOSTING_STATES, CohortState, EnrolmentState
from projects.models import Cohort, CohortLogEntry, Enrolment, Project
from projects.services.enrolment import waitlist_promote
from projects.services.errors import CohortBudgetError, CohortError
from projects.services.next_open import project_next_open_refresh

S = CohortState


class CohortAction(models.TextChoices):
    """What a cohort log entry records. Transitions are named by their verb."""

    CREATE = "create", gettext_lazy("Created")
    EDIT = "edit", gettext_lazy("Edited")
    OPEN = "open", gettext_lazy("Registration opened")
    CLOSE = "close", gettext_lazy("Registration closed")
    START = "start", gettext_lazy("Started")
    HAND_OVER = "hand_over", gettext_lazy("Handover started")
    COMPLETE = "complete", gettext_lazy("Completed")
    CANCEL = "cancel", gettext_lazy("Cancelled")
    BUDGET_OVERRIDE = "budget_override", gettext_lazy("Opened beyond a budget")
    VOG_CHECKED = "vog_checked", gettext_lazy("VOG checked")
    VOG_UNCHECKED = "vog_unchecked", gettext_lazy("VOG check undone")
    MERGE = "merge", gettext_lazy("Merged into another group")
    MERGE_IN = "merge_in", gettext_lazy("Took in a merged group")


A = CohortAction


TRANSITIONS: dict[str, Transition] = transitions_by_action(
    Transition(A.OPEN, frozenset({S.PLANNED}), S.OPEN),
    Transition(A.CLOSE, frozenset({S.OPEN}), S.CLOSED),
    Transition(A.START, frozenset({S.CLOSED}), S.RUNNING),
    Transition(A.HAND_OVER, frozenset({S.RUNNING}), S.HANDOVER),
    Transition(A.COMPLETE, frozenset({S.HANDOVER}), S.COMPLETED),
    Transition(
        A.CANCEL,
        frozenset({S.PLANNED, S.OPEN, S.CLOSED, S.RUNNING}),
        S.CANCELLED,
        needs_message=True,
    ),
)

# Dates and sizes can change until registration closes; how students get in, only before.
EDITABLE_STATES = frozenset({S.PLANNED, S.OPEN})
SCHEDULE_FIELDS = (
    "period",
    "starts_on",
    "ends_on",
    "registration_opens_at",
    "registration_closes_at",
    "min_size",
    "max_size",
)
PLANNED_ONLY_FIELDS = ("number", "admission_mode")
EDITABLE_FIELDS = frozenset(SCHEDULE_FIELDS + PLANNED_ONLY_FIELDS)
# The database allows 32 to 70 days from start to end (cohort_five_to_ten_weeks).
MIN_DAYS, MAX_DAYS = 32, 70


# What follows from dates and decisions, so the platform may do it without a coordinator.
PLATFORM_ACTIONS = frozenset({A.OPEN, A.CLOSE, A.START, A.HAND_OVER, A.COMPLETE})


def _may_transition(actor: User | None, action: CohortAction, override_reason: str) -> bool:
    if actor is None:
        return action in PLATFORM_ACTIONS and not override_reason
    return is_coordinator(actor)


def allowed_actions(cohort: Cohort) -> list[CohortAction]:
    """The transitions that may be taken from the cohort's current state."""
    return [t.action for t in TRANSITIONS.values() if cohort.state in t.sources]


# --- Load on partners and neighbourhoods ----------------------------------------------------


@dataclass(frozen=True)
class LoadLine:
    """One budget a cohort touches, with the load once the cohort counts."""

    label: str
    over_label: str
    after: int
    budget: int

    @property
    def over(self) -> bool:
        return self.after > self.budget


def cohort_open_loads(cohort: Cohort) -> list[LoadLine]:
    """The hosting load of each partner organisation, and the resident contacts in the
    project's neighbourhood per month of the cohort, as they would be with this cohort open.

    A cohort that already hosts (open to handover) is counted in the loads, so it adds nothing.
    """
    project = cohort.project
    counted = cohort.state in HOSTING_STATES
    team_delta = 0 if counted else 1
    lines = [
        LoadLine(
            label=_("Teams at %(name)s") % {"name": load.name},
            over_label=f"{load.name}: {load.after(team_delta)}/{load.budget}",
            after=load.after(team_delta),
            budget=load.budget,
        )
        for load in organisation_loads(project.organisations.order_by("name")).values()
    ]
    contacts = project.challenge.resident_contacts_per_month
    if project.neighbourhood_id is not None and contacts:
        contact_delta = 0 if counted else contacts
        hood = project.neighbourhood
        for month in months_between(cohort.starts_on, cohort.ends_on):
            load = neighbourhood_loads([hood], month)[hood.pk]
            lines.append(
                LoadLine(
                    label=_("Resident contacts in %(name)s, %(month)s")
                    % {"name": load.name, "month": month.strftime("%m-%Y")},
                    over_label=(
                        f"{load.name} {month:%m-%Y}: {load.after(contact_delta)}/{load.budget}"
                    ),
                    after=load.after(contact_delta),
                    budget=load.budget,
                )
            )
    return lines


# --- Transitions ----------------------------------------------------------------------------


def cohort_transition(
    *,
    cohort_id: int,
    action: CohortAction,
    actor: User | None,
    override_reason: str = "",
    message: str = "",
    now: datetime | None = None,
) -> Cohort:
    """Move a cohort through one transition, or raise CohortError saying why not.

    Opening checks the hosting budget of each partner organisation and the resident contact
    budget of the neighbourhood; beyond a budget it raises CohortBudgetError unless an
    `override_reason` is given. Cancelling needs a `message` for the students.
    `actor` None is the platform itself (the lifecycle job, an approved handover): it may take
    the transitions that follow from dates and decisions (PLATFORM_ACTIONS), never cancel, and
    never open beyond a budget.
    Side effects: a log entry (two when a budget is overridden); the project's
    next_open_start when the group opens or stops being open; on closing below the
    minimum team size, one mail per coordinator; on cancelling, one mail per student who
    was enrolled, applied or waiting.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise CohortError(_("This action does not exist."))
    message = message.strip()
    override_reason = override_reason.strip()
    if transition.needs_message and not message:
        raise CohortError(_("Write a short message to the students: it is required here."))
    if not _may_transition(actor, action, override_reason):
        raise CohortError(_("Only coordinators can do this."))
    now = now or timezone.now()

    with transaction.atomic():
        cohort = _lock_cohort(cohort_id)
        if cohort.state not in transition.sources:
            raise CohortError(
                _("This cannot be done now: the group is %(state)s.")
                % {"state": cohort.get_state_display()}
            )
        over: list[str] = []
        if action == A.OPEN:
            over = _check_openable(cohort, override_reason=override_reason, now=now)
        race_window()

        from_state = cohort.state
        cohort.state = transition.target
        cohort.state_changed_at = now
        cohort.save(update_fields=["state", "state_changed_at"])
        if S.OPEN in (from_state, cohort.state):
            project_next_open_refresh(project_id=cohort.project_id)

        data: dict[str, Any] = {}
        if action == A.CLOSE:
            data = {"members": _member_count(cohort), "min_size": cohort.min_size}
        entry = CohortLogEntry.objects.create(
            cohort=cohort,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=cohort.state,
            message=message,
            data=data,
            created_at=now,
        )
        if over:
            CohortLogEntry.objects.create(
                cohort=cohort,
                actor=actor,
                action=A.BUDGET_OVERRIDE,
                from_state=from_state,
                to_state=cohort.state,
                message=override_reason,
                data={"over": over},
                created_at=now,
            )
        if action == A.CLOSE and data["members"] < cohort.min_size:
            _notify_below_minimum(cohort=cohort, entry=entry)
        if action == A.CANCEL:
            _notify_cancelled(cohort=cohort, entry=entry)
    return cohort


def _lock_cohort(cohort_id: int) -> Cohort:
    # The same rows as projects.services.enrolment locks (the cohort and its project), so
    # joining and transitions wait on each other in one order.
    return lock_rows(Cohort.objects.select_related("project")).get(pk=cohort_id)


def _member_count(cohort: Cohort) -> int:
    return Enrolment.objects.filter(cohort=cohort, state=EnrolmentState.MEMBER).count()


def _check_openable(cohort: Cohort, *, override_reason: str, now: datetime) -> list[str]:
    if cohort.registration_closes_at <= now:
        raise CohortError(
            _("Registration for this group would already be over. Change its dates first.")
        )
    # Lock what the budgets belong to, so two groups of one partner cannot both take its
    # last place. The counts below then see every opening that committed before.
    list(lock_rows(Organisation.objects.filter(projects=cohort.project_id).order_by("pk")))
    if cohort.project.neighbourhood_id is not None:
        list(lock_rows(Neighbourhood.objects.filter(pk=cohort.project.neighbourhood_id)))
    over = [line.over_label for line in cohort_open_loads(cohort) if line.over]
    if over and not override_reason:
        raise CohortBudgetError(
            _("Opening goes over a budget (%(over)s). Give a reason to open anyway.")
            % {"over": ", ".join(over)},
            over=over,
        )
    return over


# --- Mail -----------------------------------------------------------------------------------


def _notify_below_minimum(*, cohort: Cohort, entry: CohortLogEntry) -> int:
    """Ask the coordinators to decide: run the group anyway, merge it, or cancel it."""
    coordinators = User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR)
    url = settings.SITE_URL + reverse("admin:projects_cohort_change", args=[cohort.pk])
    queued = 0
    for person in coordinators.order_by("pk"):
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix="projects/mail/cohort_below_minimum",
                context={
                    "cohort": cohort,
                    "project": cohort.project,
                    "entry": entry,
                    "members": entry.data["members"],
                    "url": url,
                },
                user=person,
                dedupe_key=f"cohort-log:{entry.pk}:{person.pk}",
            )
            is not None
        )
    return queued


def _notify_cancelled(*, cohort: Cohort, entry: CohortLogEntry) -> int:
    return _notify_students(
        cohort=cohort, entry=entry, template_prefix="projects/mail/cohort_cancelled"
    )


def _notify_students(*, cohort: Cohort, entry: CohortLogEntry, template_prefix: str) -> int:
    """Tell each student who was in, had applied or was waiting: once per person."""
    url = settings.SITE_URL + reverse("projects:mine")
    enrolments = (
        Enrolment.objects.filter(cohort=cohort, state__in=ACTIVE_ENROLMENT_STATES)
        .select_related("student")
        .order_by("pk")
    )
    queued = 0
    for enrolment in enrolments:
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix=template_prefix,
                context={
                    "cohort": cohort,
                    "project": cohort.project,
                    "entry": entry,
                    "enrolment": enrolment,
                    "url": url,
                },
                user=enrolment.student,
                dedupe_key=f"cohort-log:{entry.pk}:{enrolment.student_id}",
            )
            is not None
        )
    return queued


# --- Creating and changing cohorts ----------------------------------------------------------


def cohort_schedule_problems(
    *,
    starts_on: date | None,
    ends_on: date | None,
    registration_opens_at: datetime | None,
    registration_closes_at: datetime | None,
    min_size: int | None,
    max_size: int | None,
) -> dict[str, str]:
    """{field: what is wrong} for a cohort's dates and sizes; empty when all is well.

    The same rules as the database's check constraints, in words a coordinator understands.
    """
    problems: dict[str, str] = {}
    if starts_on and ends_on and not MIN_DAYS <= (ends_on - starts_on).days <= MAX_DAYS:
        problems["ends_on"] = _(
            "A group runs 5 to 10 weeks: end between %(first)s and %(last)s."
        ) % {
            "first": date.fromordinal(starts_on.toordinal() + MIN_DAYS).isoformat(),
            "last": date.fromordinal(starts_on.toordinal() + MAX_DAYS).isoformat(),
        }
    if (
        registration_opens_at
        and registration_closes_at
        and registration_closes_at <= registration_opens_at
    ):
        problems["registration_closes_at"] = _("Registration must close after it opens.")
    if min_size is not None and min_size < 1:
        problems["min_size"] = _("A team has at least 1 student.")
    elif min_size is not None and max_size is not None and max_size < min_size:
        problems["max_size"] = _("The number of places cannot be below the minimum team size.")
    return problems


def cohort_create(*, cohort: Cohort, actor: User | None, now: datetime | None = None) -> Cohort:
    """Save a new, planned cohort built by a form, or by the platform (`actor` None) when a
    project continues; returns it.

    Without a number it gets the project's next one. Side effects: a log entry; the
    project's next_open_start is recomputed.
    """
    if actor is not None and not is_coordinator(actor):
        raise CohortError(_("Only coordinators can do this."))
    now = now or timezone.now()
    _raise_problems(cohort)
    with transaction.atomic():
        # The project's lock makes two coordinators adding a group take different numbers.
        lock_rows(Project.objects.filter(pk=cohort.project_id)).get()
        if not cohort.number:
            last = Cohort.objects.filter(project_id=cohort.project_id).aggregate(
                last=models.Max("number")
            )["last"]
            cohort.number = (last or 0) + 1
        elif Cohort.objects.filter(project_id=cohort.project_id, number=cohort.number).exists():
            raise CohortError(
                _("This project already has a group %(number)d.") % {"number": cohort.number}
            )
        cohort.state = S.PLANNED
        cohort.state_changed_at = now
        cohort.created_at = now
        cohort.save(force_insert=True)
        # A new cohort is planned, so this changes nothing today; it keeps the column right
        # should cohorts one day be created open.
        project_next_open_refresh(project_id=cohort.project_id)
        CohortLogEntry.objects.create(
            cohort=cohort, actor=actor, action=A.CREATE, to_state=S.PLANNED, created_at=now
        )
    return cohort


def cohort_update(
    *, cohort_id: int, actor: User, changes: dict[str, Any], now: datetime | None = None
) -> Cohort:
    """Change a cohort's dates, sizes or (while planned) its number and admission.

    Only while the cohort is planned or open; never fewer places than it has members.
    Side effects: a log entry with the old and new values; the project's next_open_start
    when an open cohort's start moves; when an open cohort gets more
    places, students on the waiting list move up (and get a mail).
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"These cohort fields cannot be changed here: {', '.join(sorted(unknown))}")
    if not is_coordinator(actor):
        raise CohortError(_("Only coordinators can do this."))
    now = now or timezone.now()
    with transaction.atomic():
        cohort = _lock_cohort(cohort_id)
        changes = {name: value for name, value in changes.items() if getattr(cohort, name) != value}
        if not changes:
            return cohort
        if cohort.state not in EDITABLE_STATES:
            raise CohortError(
                _("Dates and sizes can only change while a group is planned or open.")
            )
        if cohort.state != S.PLANNED and set(changes) & set(PLANNED_ONLY_FIELDS):
            raise CohortError(
                _("The number and the admission can only change while a group is planned.")
            )
        if "number" in changes and (
            Cohort.objects.filter(project_id=cohort.project_id, number=changes["number"])
            .exclude(pk=cohort.pk)
            .exists()
        ):
            raise CohortError(
                _("This project already has a group %(number)d.") % {"number": changes["number"]}
            )
        old = {name: getattr(cohort, name) for name in changes}
        for name, value in changes.items():
            setattr(cohort, name, value)
        _raise_problems(cohort)
        members = _member_count(cohort)
        if cohort.max_size < members:
            raise CohortError(
                _("This group already has %(members)d members: it needs at least as many places.")
                % {"members": members}
            )
        cohort.save(update_fields=list(changes))
        if "starts_on" in changes and cohort.state == S.OPEN:
            project_next_open_refresh(project_id=cohort.project_id)
        entry = CohortLogEntry.objects.create(
            cohort=cohort,
            actor=actor,
            action=A.EDIT,
            from_state=cohort.state,
            to_state=cohort.state,
            data={"changed": {name: [str(old[name]), str(changes[name])] for name in changes}},
            created_at=now,
        )
        if cohort.state == S.OPEN and cohort.max_size > old.get("max_size", cohort.max_size):
            waitlist_promote(cohort=cohort, now=now)
        if {"starts_on", "ends_on"} & set(changes):
            _notify_students(
                cohort=cohort, entry=entry, template_prefix="projects/mail/cohort_changed"
            )
    return cohort


def _raise_problems(cohort: Cohort) -> None:
    problems = cohort_schedule_problems(
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        registration_opens_at=cohort.registration_opens_at,
        registration_closes_at=cohort.registration_closes_at,
        min_size=cohort.min_size,
        max_size=cohort.max_size,
    )
    if problems:
        raise CohortError(" ".join(problems.values()))


# --- Certificates of conduct ----------------------------------------------------------------


def enrolments_mark_vog_checked(
    *, enrolment_ids: list[int], actor: User, checked: bool = True, now: datetime | None = None
) -> int:
    """Record that a coordinator saw each student's certificate of conduct (VOG), or undo it.

    Returns how many enrolments changed. Side effects: one log entry per cohort concerned,
    naming the students.
    """
    if not is_coordinator(actor):
        raise CohortError(_("Only coordinators can do this."))
    now = now or timezone.now()
    with transaction.atomic():
        cohort_ids = sorted(
            set(Enrolment.objects.filter(pk__in=enrolment_ids).values_list("cohort_id", flat=True))
        )
        # Cohorts first, in a fixed order, as every other write on cohorts does.
        list(lock_rows(Cohort.objects.filter(pk__in=cohort_ids).order_by("pk")))
        enrolments = list(
            lock_rows(
                Enrolment.objects.filter(pk__in=enrolment_ids, vog_checked_at__isnull=checked)
            ).order_by("cohort_id", "pk")
        )
        for enrolment in enrolments:
            enrolment.vog_checked_at = now if checked else None
            enrolment.vog_checked_by = actor if checked else None
            enrolment.save(update_fields=["vog_checked_at", "vog_checked_by"])
        by_cohort: dict[int, list[int]] = {}
        for enrolment in enrolments:
            by_cohort.setdefault(enrolment.cohort_id, []).append(enrolment.student_id)
        CohortLogEntry.objects.bulk_create(
            CohortLogEntry(
                cohort_id=cohort_id,
                actor=actor,
                action=A.VOG_CHECKED if checked else A.VOG_UNCHECKED,
                data={"students": students},
                created_at=now,
            )
            for cohort_id, students in by_cohort.items()
        )
    return len(enrolments)


# --- The roster -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    cohort: str
    name: str
    email: str
    institution: str
    programme: str
    state: str
    waitlist_position: int | None
    vog_confirmed: bool
    vog_checked_at: datetime | None


# Who is on a roster, in this order: the team, then applications, then the waiting list.
ROSTER_ORDER = (
    EnrolmentState.MEMBER,
    EnrolmentState.COMPLETED,
    EnrolmentState.APPLIED,
    EnrolmentState.WAITLISTED,
)


def cohort_roster(cohort_ids: list[int]) -> list[RosterRow]:
    """The students of these cohorts, with their place on the waiting list. One query."""
    enrolments = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids, state__in=ROSTER_ORDER)
        .select_related("cohort__project", "student__student_profile__institution")
        .order_by("cohort__starts_on", "cohort_id", "queued_at", "pk")
    )
    rank = {state: index for index, state in enumerate(ROSTER_ORDER)}
    rows, positions = [], {}
    for enrolment in sorted(
        enrolments, key=lambda e: (e.cohort.starts_on, e.cohort_id, rank[e.state])
    ):
        position = None
        if enrolment.state == EnrolmentState.WAITLISTED:
            position = positions[enrolment.cohort_id] = positions.get(enrolment.cohort_id, 0) + 1
        profile = getattr(enrolment.student, "student_profile", None)
        institution = profile.institution if profile is not None else None
        rows.append(
            RosterRow(
                cohort=str(enrolment.cohort),
                name=enrolment.student.name,
                email=enrolment.student.email,
                institution=institution.name if institution is not None else "",
                programme=profile.programme if profile is not None else "",
                state=enrolment.get_state_display(),
                waitlist_position=position,
                vog_confirmed=enrolment.vog_confirmed,
                vog_checked_at=enrolment.vog_checked_at,
            )
        )
    return rows
