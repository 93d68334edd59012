"""Te doen: what waits for a lecturer or a partner member, each with a link to where it is done.

Everything is about the projects the person guides (as a lecturer, or as a member of one of
its partner organisations) and the organisations they administer. A coordinator sees what
they guide themselves here; the platform-wide queues are in the admin. Each list is one
query (feedback: three), whatever its length.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import User
from partners.enums import JoinRequestStatus, MembershipRole
from partners.models import JoinRequest, Organisation
from projects.enums import CohortState, DossierState, EnrolmentState, HoursState
from projects.models import Cohort, Enrolment, HandoverDossier, HoursEntry, PartnerFeedback, Project
from projects.services.hours import hours_link_token
from projects.services.reflections import AFTERCARE_DAYS


@dataclass(frozen=True)
class FeedbackDue:
    cohort: Cohort
    organisation: Organisation
    url: str


@login_required
@require_safe
def todo_view(request):
    if not request.user.has_perm("projects.view_todo"):
        raise Http404
    user = request.user
    guided = _guided_projects(user)
    applications = list(
        Enrolment.objects.filter(state=EnrolmentState.APPLIED, cohort__project__in=guided)
        .exclude(cohort__state__in=(CohortState.CANCELLED, CohortState.COMPLETED))
        .select_related("student", "cohort__project")
        .order_by("queued_at", "pk")
    )
    join_requests = list(
        JoinRequest.objects.filter(
            status=JoinRequestStatus.PENDING,
            organisation__in=Organisation.objects.filter(
                memberships__user=user, memberships__role=MembershipRole.ADMIN
            ).values("pk"),
        )
        .select_related("user", "organisation")
        .order_by("created_at", "pk")
    )
    dossiers = [
        (dossier, _dossier_url(dossier))
        for dossier in HandoverDossier.objects.filter(
            state=DossierState.SUBMITTED, cohort__project__in=guided
        )
        .select_related("cohort__project")
        .order_by("submitted_at", "pk")
    ]
    hours = [
        (entry, reverse("projects:hours-decide", kwargs={"token": _token(entry, user)}))
        for entry in HoursEntry.objects.filter(
            state=HoursState.SUBMITTED, enrolment__cohort__project__in=guided
        )
        .select_related("enrolment__student", "enrolment__cohort__project")
        .order_by("worked_on", "pk")
    ]
    feedback = _feedback_due(user)
    return render(
        request,
        "projects/reciprocity/todo.html",
        {
            "applications": applications,
            "join_requests": join_requests,
            "dossiers": dossiers,
            "hours": hours,
            "feedback": feedback,
            "nothing": not any([applications, join_requests, dossiers, hours, feedback]),
        },
    )


def _guided_projects(user: User):
    """The projects this person lectures or whose partner organisation they belong to."""
    return Project.objects.filter(
        Q(lecturers=user) | Q(organisations__memberships__user=user)
    ).values("pk")


def _token(entry: HoursEntry, user: User) -> str:
    return hours_link_token(entry_id=entry.pk, decider_id=user.pk)


def _dossier_url(dossier: HandoverDossier) -> str:
    return reverse("projects:handover_decide", args=[dossier.cohort_id])


def _feedback_due(user: User) -> list[FeedbackDue]:
    """Groups of the person's organisations that ended lately and lack their feedback.

    Lately: handing over now, or completed within AFTERCARE_DAYS; older groups drop off the
    list (the feedback page itself stays open to them).
    """
    mine = Organisation.objects.filter(memberships__user=user)
    recent = timezone.now() - timedelta(days=AFTERCARE_DAYS)
    cohorts = (
        Cohort.objects.filter(
            Q(state=CohortState.HANDOVER)
            | Q(state=CohortState.COMPLETED, state_changed_at__gte=recent),
            project__in=Project.objects.filter(organisations__in=mine.values("pk")).values("pk"),
        )
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "project__organisations",
                queryset=mine.order_by("name"),
                to_attr="my_organisations",
            ),
            Prefetch(
                "feedback",
                queryset=PartnerFeedback.objects.only("cohort_id", "organisation_id"),
                to_attr="given",
            ),
        )
        .order_by("ends_on", "pk")
    )
    due = []
    for cohort in cohorts:
        given = {feedback.organisation_id for feedback in cohort.given}
        for organisation in cohort.project.my_organisations:
            if organisation.pk not in given:
                url = reverse("projects:feedback", args=[cohort.pk, organisation.pk])
                due.append(FeedbackDue(cohort=cohort, organisation=organisation, url=url))
    return due
