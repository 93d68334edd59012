"""What a group's people are reminded of, from registration to a year after it ended.

Registered with outbox.reminders from ProjectsConfig.ready(). Each source returns what is
due now, sent or not; the sent-log (kind, "cohort:<id>", recipient) makes each go out once.
Every source reads in a fixed number of queries, whatever the number of groups.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from outbox.enums import MessageKind, ReminderKind
from outbox.reminders import Due, digest_week, register_reminder_source
from partners.models import Membership
from projects.enums import CohortState, EnrolmentState
from projects.models import Cohort, Enrolment, PartnerFeedback, Project

S = CohortState
# Students who are, or were, in the group.
TEAM_STATES = (EnrolmentState.MEMBER, EnrolmentState.COMPLETED)


@dataclass(frozen=True)
class People:
    students: tuple[User, ...]
    lecturers: tuple[User, ...]
    partners: tuple[User, ...]

    @property
    def hosts(self) -> tuple[User, ...]:
        """Lecturers and partner members, each once (a lecturer may also be a member)."""
        seen: dict[int, User] = {}
        for person in (*self.lecturers, *self.partners):
            seen.setdefault(person.pk, person)
        return tuple(seen.values())


def _with_people(cohorts) -> list[tuple[Cohort, People]]:
    """Cohorts with their team, lecturers and partner members, in four queries."""
    cohorts = list(
        cohorts.select_related("project").prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(
                    state__in=TEAM_STATES, student__is_active=True
                ).select_related("student"),
                to_attr="team",
            ),
            Prefetch(
                "project__lecturers",
                queryset=User.objects.filter(is_active=True),
                to_attr="active_lecturers",
            ),
            Prefetch(
                "project__organisations__memberships",
                queryset=Membership.objects.filter(user__is_active=True).select_related("user"),
                to_attr="active_memberships",
            ),
        )
    )
    return [
        (
            cohort,
            People(
                students=tuple(e.student for e in cohort.team),
                lecturers=tuple(cohort.project.active_lecturers),
                partners=tuple(
                    m.user
                    for organisation in cohort.project.organisations.all()
                    for m in organisation.active_memberships
                ),
            ),
        )
        for cohort in cohorts
    ]


def _due(kind, cohort: Cohort, people: Iterable[User], template: str, **context) -> Iterator[Due]:
    context = {"cohort": cohort, "project": cohort.project, **context}
    for person in people:
        yield Due(
            kind=kind,
            subject=f"cohort:{cohort.pk}",
            recipient=person,
            template_prefix=f"projects/mail/reminder_{template}",
            context=context,
            message_kind=MessageKind.REMINDERS,
        )


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def registration_closing(now: datetime) -> Iterator[Due]:
    """Lecturers and partner: registration closes soon (applications may wait for them)."""
    ahead = now + timedelta(hours=settings.REMINDER_REGISTRATION_CLOSING_BEFORE_HOURS)
    cohorts = Cohort.objects.filter(
        state=S.OPEN, registration_closes_at__gt=now, registration_closes_at__lte=ahead
    )
    for cohort, people in _with_people(cohorts):
        yield from _due(
            ReminderKind.REGISTRATION_CLOSING,
            cohort,
            people.hosts,
            "registration_closing",
            url=_url("projects:team", cohort.pk),
        )


def cohort_starting(now: datetime) -> Iterator[Due]:
    """Everyone in the group, a few days before it starts."""
    today = timezone.localdate(now)
    cohorts = Cohort.objects.filter(
        state__in=(S.OPEN, S.CLOSED),
        starts_on__gt=today,
        starts_on__lte=today + timedelta(days=settings.REMINDER_COHORT_START_BEFORE_DAYS),
    )
    for cohort, people in _with_people(cohorts):
        yield from _due(
            ReminderKind.COHORT_STARTING,
            cohort,
            (*people.students, *people.hosts),
            "cohort_starting",
            url=_url("projects:team", cohort.pk),
        )


def handover_due(now: datetime) -> Iterator[Due]:
    """The team, two weeks before the end: time to write down what the next group needs."""
    today = timezone.localdate(now)
    cohorts = Cohort.objects.filter(
        state=S.RUNNING,
        ends_on__gt=today,
        ends_on__lte=today + timedelta(days=settings.REMINDER_HANDOVER_BEFORE_DAYS),
    )
    for cohort, people in _with_people(cohorts):
        yield from _due(
            ReminderKind.HANDOVER_DUE,
            cohort,
            people.students,
            "handover_due",
            url=_url("projects:handover", cohort.pk),
        )


def _ended(now: datetime):
    """Groups that ended recently enough to still ask about them."""
    today = timezone.localdate(now)
    return Cohort.objects.filter(
        state__in=(S.HANDOVER, S.COMPLETED),
        ends_on__lt=today,
        ends_on__gte=today - timedelta(days=settings.REMINDER_GRACE_DAYS),
    )


def reflection_request(now: datetime) -> Iterator[Due]:
    """Each student of an ended group who has not reflected yet, with a link to their form."""
    cohorts = list(
        _ended(now)
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(
                    state__in=TEAM_STATES, student__is_active=True, reflection__isnull=True
                ).select_related("student"),
                to_attr="unreflected",
            )
        )
    )
    for cohort in cohorts:
        for enrolment in cohort.unreflected:
            yield from _due(
                ReminderKind.REFLECTION_REQUEST,
                cohort,
                [enrolment.student],
                "reflection_request",
                url=_url("projects:reflection", enrolment.pk),
            )


def feedback_request(now: datetime) -> Iterator[Due]:
    """The partner members of an ended group whose organisation has not given feedback yet."""
    ended = list(_with_people(_ended(now)))
    given = set(
        PartnerFeedback.objects.filter(cohort__in=[c for c, _p in ended]).values_list(
            "cohort_id", "organisation_id"
        )
    )
    for cohort, _people in ended:
        for organisation in cohort.project.organisations.all():
            if (cohort.pk, organisation.pk) in given:
                continue
            yield from _due(
                ReminderKind.FEEDBACK_REQUEST,
                cohort,
                [m.user for m in organisation.active_memberships],
                "feedback_request",
                url=_url("projects:feedback", cohort.pk, organisation.pk),
            )


def _impact_check(kind: ReminderKind, months: int):
    def source(now: datetime) -> Iterator[Due]:
        """The partner, some months after a group completed: what came of its work?"""
        due_from = now - relativedelta(months=months)
        cohorts = Cohort.objects.filter(
            state=S.COMPLETED,
            state_changed_at__lte=due_from,
            state_changed_at__gt=due_from - timedelta(days=settings.REMINDER_GRACE_DAYS),
        )
        for cohort, people in _with_people(cohorts):
            yield from _due(
                kind,
                cohort,
                people.partners,
                "impact_check",
                months=months,
                url=_url("projects:detail", cohort.project.slug),
            )

    source.__name__ = f"impact_check_{months}"
    return source


impact_check_6 = _impact_check(ReminderKind.IMPACT_CHECK_6, 6)
impact_check_12 = _impact_check(ReminderKind.IMPACT_CHECK_12, 12)


def new_projects_digest(now: datetime) -> Iterator[Due]:
    """Weekly, to students: new projects with an open group on the themes they chose.

    Students opt out in one click (the mail's unsubscribe link, kind NEW_PROJECTS_DIGEST).
    """
    label, since, until = digest_week(now)
    projects = list(
        Project.objects.filter(created_at__gte=since, created_at__lt=until)
        .filter(cohorts__state=S.OPEN)
        .distinct()
        .prefetch_related("themes")
        .order_by("title", "pk")
    )
    if not projects:
        return
    theme_ids = {theme.pk for project in projects for theme in project.themes.all()}
    students = (
        User.objects.filter(
            role=Role.STUDENT, is_active=True, student_profile__themes__in=theme_ids
        )
        .distinct()
        .prefetch_related("student_profile__themes")
        .order_by("pk")
    )
    for student in students:
        mine = {theme.pk for theme in student.student_profile.themes.all()}
        fitting = [p for p in projects if mine & {t.pk for t in p.themes.all()}]
        if fitting:
            yield Due(
                kind=ReminderKind.NEW_PROJECTS_DIGEST,
                subject=label,
                recipient=student,
                template_prefix="projects/mail/reminder_new_projects",
                context={"projects": fitting, "url": _url("projects:list")},
                message_kind=MessageKind.NEW_PROJECTS_DIGEST,
            )


def register() -> None:
    for kind, source in (
        (ReminderKind.REGISTRATION_CLOSING, registration_closing),
        (ReminderKind.COHORT_STARTING, cohort_starting),
        (ReminderKind.HANDOVER_DUE, handover_due),
        (ReminderKind.REFLECTION_REQUEST, reflection_request),
        (ReminderKind.FEEDBACK_REQUEST, feedback_request),
        (ReminderKind.IMPACT_CHECK_6, impact_check_6),
        (ReminderKind.IMPACT_CHECK_12, impact_check_12),
        (ReminderKind.NEW_PROJECTS_DIGEST, new_projects_digest),
    ):
        register_reminder_source(kind, source)
