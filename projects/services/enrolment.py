"""Joining, leaving and the waiting list: the rules that must hold however many click at once.

Locks are taken in one fixed order, the cohort first and then the student, so two
transactions never wait on each other in a circle. The cohort lock serialises everyone
joining one cohort (capacity); the student lock serialises one student joining several
cohorts (no two overlapping intensive ones).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from lerenmetdestad.locking import lock_rows, race_window
from partners.enums import CslLevel
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, Enrolment
from projects.rules import decides_for_project
from projects.services.errors import EnrolmentError
from projects.services.notifications import enrolment_notify

E = EnrolmentState
# What counts as holding a place in another cohort when checking overlaps.
PLACE_STATES = (E.MEMBER, E.APPLIED)


def lock_cohort(cohort_id: int) -> Cohort:
    return lock_rows(Cohort.objects.select_related("project")).get(pk=cohort_id)


def lock_student(student_id: int) -> User:
    return lock_rows(User.objects.select_related("student_profile__institution"), of=("self",)).get(
        pk=student_id
    )


def member_count(cohort: Cohort) -> int:
    return cohort.enrolments.filter(state=E.MEMBER).count()


def eligibility_problem(*, cohort: Cohort, student: User, vog_confirmed: bool) -> str | None:
    """Why this student may not join this cohort, or None. The student's row must be locked
    by the caller when the answer is acted on (the overlap rule reads their other places)."""
    project = cohort.project
    if student.role != Role.STUDENT:
        return _("Only students can join projects.")
    profile = getattr(student, "student_profile", None)
    kind = (profile.institution.kind if profile and profile.institution else "") or (
        profile.level if profile else ""
    )
    if not kind:
        return _("Fill in your school or university in your profile first.")
    if kind not in project.institution_kinds:
        return _("This project is not open to students of your type of education.")
    if project.works_with_vulnerable_residents and not vog_confirmed:
        return _(
            "This project works with vulnerable residents: confirm that you have or will "
            "request a certificate of conduct (VOG)."
        )
    if project.csl_level == CslLevel.INTENSIVE:
        clash = (
            Enrolment.objects.filter(
                student=student,
                state__in=PLACE_STATES,
                cohort__project__csl_level=CslLevel.INTENSIVE,
                cohort__starts_on__lte=cohort.ends_on,
                cohort__ends_on__gte=cohort.starts_on,
            )
            .exclude(cohort=cohort)
            .exclude(cohort__state=CohortState.CANCELLED)
            .select_related("cohort__project")
            .first()
        )
        if clash is not None:
            return _(
                "You already take part in the intensive project %(project)s at the same time. "
                "Two intensive projects at once is too much."
            ) % {"project": clash.cohort.project.title}
    return None


def enrolment_join(
    *,
    cohort_id: int,
    student: User,
    motivation: str = "",
    vog_confirmed: bool = False,
    now: datetime | None = None,
) -> Enrolment:
    """Join a cohort: a place if there is one, else the waiting list; or apply.

    Side effects: after commit, a mail to the student saying where they stand.
    """
    with transaction.atomic():
        cohort = lock_cohort(cohort_id)
        student = lock_student(student.pk)
        # Read the clock once the locks are held, so the waiting list's order is the order
        # in which joins were served.
        now = now or timezone.now()
        if cohort.state != CohortState.OPEN or not (
            cohort.registration_opens_at <= now < cohort.registration_closes_at
        ):
            raise EnrolmentError(_("Registration for this group is not open."))
        if cohort.admission_mode == AdmissionMode.PREFERENCE:
            raise EnrolmentError(_("For this group you rank your preferences instead of joining."))
        existing = Enrolment.objects.filter(cohort=cohort, student=student).first()
        if existing is not None and existing.state in (
            E.MEMBER,
            E.APPLIED,
            E.WAITLISTED,
            E.COMPLETED,
        ):
            raise EnrolmentError(
                _("You are already registered for this group: %(state)s.")
                % {"state": existing.get_state_display()}
            )
        problem = eligibility_problem(cohort=cohort, student=student, vog_confirmed=vog_confirmed)
        if problem:
            raise EnrolmentError(problem)
        if cohort.admission_mode == AdmissionMode.APPLICATION:
            if not motivation.strip():
                raise EnrolmentError(_("Write a short motivation: why do you want to join?"))
            state = E.APPLIED
        else:
            taken = member_count(cohort)
            race_window()
            state = E.MEMBER if taken < cohort.max_size else E.WAITLISTED
        enrolment = existing or Enrolment(cohort=cohort, student=student, created_at=now)
        enrolment.state = state
        enrolment.motivation = motivation.strip()
        enrolment.vog_confirmed = vog_confirmed
        enrolment.queued_at = now
        enrolment.state_changed_at = now
        enrolment.save()
        enrolment_notify(enrolment=enrolment, event=f"join-{now.timestamp()}")
    return enrolment


def enrolment_withdraw(
    *, enrolment_id: int, student: User, now: datetime | None = None
) -> Enrolment:
    """Leave a cohort (or its waiting list). A freed place goes to the next in line at once.

    Side effects: mails to the student and, when someone moves up, to them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cohort_id = (
            Enrolment.objects.filter(pk=enrolment_id, student=student)
            .values_list("cohort_id", flat=True)
            .first()
        )
        if cohort_id is None:
            raise EnrolmentError(_("This registration does not exist."))
        cohort = lock_cohort(cohort_id)
        enrolment = lock_rows(Enrolment.objects).get(pk=enrolment_id)
        now = now or timezone.now()
        if enrolment.state not in (E.MEMBER, E.APPLIED, E.WAITLISTED):
            raise EnrolmentError(_("You have already left this group."))
        if cohort.state in (CohortState.COMPLETED, CohortState.CANCELLED):
            raise EnrolmentError(_("This group has ended."))
        freed_place = enrolment.state == E.MEMBER
        enrolment.state = E.WITHDRAWN
        enrolment.state_changed_at = now
        enrolment.save(update_fields=["state", "state_changed_at"])
        enrolment_notify(enrolment=enrolment, event=f"withdraw-{now.timestamp()}")
        if freed_place:
            waitlist_promote(cohort=cohort, now=now)
    return enrolment


def waitlist_promote(*, cohort: Cohort, now: datetime) -> list[Enrolment]:
    """Fill free places from the waiting list, first in first out, skipping anyone who is no
    longer eligible. The caller holds the cohort's lock."""
    promoted = []
    free = cohort.max_size - member_count(cohort)
    if free <= 0:
        return promoted
    waiting = list(
        Enrolment.objects.filter(cohort=cohort, state=E.WAITLISTED)
        .order_by("queued_at", "pk")
        .values_list("pk", "student_id")
    )
    for enrolment_pk, student_id in waiting:
        if free == 0:
            break
        student = lock_student(student_id)
        candidate = lock_rows(Enrolment.objects).get(pk=enrolment_pk)
        if candidate.state != E.WAITLISTED:
            continue
        if eligibility_problem(
            cohort=cohort, student=student, vog_confirmed=candidate.vog_confirmed
        ):
            continue
        candidate.state = E.MEMBER
        candidate.state_changed_at = now
        candidate.save(update_fields=["state", "state_changed_at"])
        enrolment_notify(enrolment=candidate, event=f"promoted-{now.timestamp()}")
        promoted.append(candidate)
        free -= 1
    return promoted


def waiting_ahead() -> Subquery:
    """An annotation: how many are before this enrolment on its cohort's waiting list."""
    ahead = (
        Enrolment.objects.filter(cohort=OuterRef("cohort"), state=E.WAITLISTED)
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead), 0)


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the first in line; None when not on the waiting list."""
    if enrolment.state != E.WAITLISTED:
        return None
    ahead = (
        Enrolment.objects.filter(pk=enrolment.pk)
        .annotate(ahead=waiting_ahead())
        .values_list("ahead", flat=True)
    )
    return ahead.get() + 1


def enrolment_decide(
    *, enrolment_id: int, decider: User, admit: bool, now: datetime | None = None
) -> Enrolment:
    """A lecturer or partner admits or turns down an application.

    Admitting into a full group is refused rather than going over its places.
    Side effects: a mail to the student.
    """
    with transaction.atomic():
        cohort_id = (
            Enrolment.objects.filter(pk=enrolment_id).values_list("cohort_id", flat=True).first()
        )
        if cohort_id is None:
            raise EnrolmentError(_("This registration does not exist."))
        cohort = lock_cohort(cohort_id)
        if not decides_for_project(decider, cohort.project):
            raise EnrolmentError(
                _("Only the project's teachers and partner can decide on applications.")
            )
        enrolment = lock_rows(Enrolment.objects.select_related("student")).get(pk=enrolment_id)
        now = now or timezone.now()
        if enrolment.state != E.APPLIED:
            raise EnrolmentError(
                _("This application has already been decided: %(state)s.")
                % {"state": enrolment.get_state_display()}
            )
        if admit and member_count(cohort) >= cohort.max_size:
            raise EnrolmentError(
                _("The group is full. Turn down someone else first, or ask a coordinator.")
            )
        enrolment.state = E.MEMBER if admit else E.REJECTED
        enrolment.decided_by = decider
        enrolment.state_changed_at = now
        enrolment.save(update_fields=["state", "decided_by", "state_changed_at"])
        enrolment_notify(enrolment=enrolment, event=f"decided-{now.timestamp()}")
    return enrolment
