"""The cohort lifecycle job: each group through the states its dates call for, by the platform.

Runs daily from beat (and is safe to run more often, or twice at once): every step goes
through cohort_transition, which locks the cohort and checks its state, so a group moved by
one run is skipped by the other. A step that needs a person's decision is left to a
coordinator: opening beyond a hosting budget, starting a group below its minimum size, and
starting a group in preference mode whose places have not been allocated yet.

When a continuing project's group enters its handover, the next group is planned in the
same transaction (same length and sizes, registration open until a week before its start),
and its partner and the students who waited in vain are told.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from partners.models import Membership
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, Enrolment
from projects.services.cohorts import CohortAction, cohort_create, cohort_transition
from projects.services.errors import CohortBudgetError, CohortError

S = CohortState
A = CohortAction

# The next group starts this long after the previous one ends (the weeks in between are the
# handover and the new group's registration), on a Monday.
GAP_BEFORE_NEXT = timedelta(weeks=3)
# Registration for the next group closes this long before it starts.
CLOSE_BEFORE_START = timedelta(weeks=1)


@dataclass
class LifecycleReport:
    moved: dict[str, list[int]] = field(default_factory=dict)
    planned: list[int] = field(default_factory=list)
    waiting_for_coordinator: list[int] = field(default_factory=list)

    def add(self, action: str, cohort_id: int) -> None:
        self.moved.setdefault(action, []).append(cohort_id)


def cohorts_advance(*, now: datetime | None = None) -> LifecycleReport:
    """Open, close, start and hand over the groups whose dates say so; plan next groups."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = LifecycleReport()
    # Handovers first: the next groups they plan then open in this same run.
    for cohort_id in _ids(Cohort.objects.filter(state=S.RUNNING, ends_on__lt=today)):
        try:
            with transaction.atomic():
                cohort = cohort_transition(
                    cohort_id=cohort_id, action=A.HAND_OVER, actor=None, now=now
                )
                report.add(A.HAND_OVER, cohort_id)
                following = _plan_next(cohort, now=now)
                if following is not None:
                    report.planned.append(following.pk)
        except CohortError:
            # Moved meanwhile (another run, a coordinator): nothing left to do here.
            continue
    _advance(
        report,
        A.OPEN,
        Cohort.objects.filter(
            state=S.PLANNED, registration_opens_at__lte=now, registration_closes_at__gt=now
        ),
        now=now,
    )
    _advance(
        report,
        A.CLOSE,
        Cohort.objects.filter(state=S.OPEN, registration_closes_at__lte=now),
        now=now,
    )
    startable = (
        Cohort.objects.filter(state=S.CLOSED, starts_on__lte=today)
        .annotate(members=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.MEMBER)))
        .filter(members__gte=F("min_size"))
        .exclude(admission_mode=AdmissionMode.PREFERENCE, allocated_at=None)
    )
    waiting = Cohort.objects.filter(state=S.CLOSED, starts_on__lte=today).exclude(
        pk__in=startable.values("pk")
    )
    report.waiting_for_coordinator += list(waiting.values_list("pk", flat=True))
    _advance(report, A.START, startable, now=now)
    return report


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _advance(report: LifecycleReport, action: CohortAction, queryset, *, now: datetime) -> None:
    for cohort_id in _ids(queryset):
        try:
            cohort_transition(cohort_id=cohort_id, action=action, actor=None, now=now)
        except CohortBudgetError as error:
            report.waiting_for_coordinator.append(cohort_id)
            _ask_coordinators(cohort_id, reason=str(error))
        except CohortError:
            continue
        else:
            report.add(action, cohort_id)


def _ask_coordinators(cohort_id: int, *, reason: str) -> None:
    """A group the platform may not open by itself (beyond a budget): once per coordinator."""
    cohort = Cohort.objects.select_related("project").get(pk=cohort_id)
    url = settings.SITE_URL + reverse("admin:projects_cohort_change", args=[cohort.pk])
    coordinators = User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR)
    for person in coordinators.order_by("pk"):
        message_render_and_queue(
            kind=MessageKind.PROJECT_UPDATES,
            template_prefix="projects/mail/cohort_waits_for_coordinator",
            context={"cohort": cohort, "project": cohort.project, "reason": reason, "url": url},
            user=person,
            dedupe_key=f"cohort-waits:{cohort.pk}:{person.pk}",
        )


def next_start(after: date) -> date:
    """The first Monday at least GAP_BEFORE_NEXT after `after`."""
    day = after + GAP_BEFORE_NEXT
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _plan_next(cohort: Cohort, *, now: datetime) -> Cohort | None:
    """The project's next group, unless it does not continue or already has one planned."""
    project = cohort.project
    later = Cohort.objects.filter(project=project, starts_on__gt=cohort.starts_on).exclude(
        state=S.CANCELLED
    )
    if not project.continues or later.exists():
        return None
    starts_on = next_start(cohort.ends_on)
    closes_at = timezone.make_aware(datetime.combine(starts_on - CLOSE_BEFORE_START, time(23, 59)))
    following = cohort_create(
        cohort=Cohort(
            project=project,
            period=None,
            starts_on=starts_on,
            ends_on=starts_on + (cohort.ends_on - cohort.starts_on),
            registration_opens_at=now,
            registration_closes_at=closes_at,
            min_size=cohort.min_size,
            max_size=cohort.max_size,
            admission_mode=cohort.admission_mode,
        ),
        actor=None,
        now=now,
    )
    _tell_next_planned(previous=cohort, following=following)
    return following


def _tell_next_planned(*, previous: Cohort, following: Cohort) -> None:
    """The partner's members, and the students who waited for a place in vain."""
    partners = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organisation__in=previous.project.organisations.all()
        ).values("user"),
    )
    waited = User.objects.filter(
        is_active=True,
        pk__in=Enrolment.objects.filter(cohort=previous, state=EnrolmentState.WAITLISTED).values(
            "student"
        ),
    )
    url = settings.SITE_URL + previous.project.get_absolute_url()
    for audience, people in (("partner", partners), ("student", waited)):
        for person in people.order_by("pk"):
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix="projects/mail/next_cohort_planned",
                context={
                    "previous": previous,
                    "cohort": following,
                    "project": previous.project,
                    "audience": audience,
                    "url": url,
                    "admin_url": settings.SITE_URL
                    + reverse("admin:projects_cohort_change", args=[following.pk]),
                },
                user=person,
                dedupe_key=f"next-cohort:{following.pk}:{person.pk}",
            )
