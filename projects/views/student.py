from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lerenmetdestad.forms import posted_text
from projects.enums import ACTIVE_ENROLMENT_STATES, EnrolmentState
from projects.models import Cohort, CohortPreference, Enrolment
from projects.services.enrolment import (
    enrolment_decide,
    enrolment_join,
    enrolment_withdraw,
    waiting_ahead,
    waitlist_position,
)
from projects.services.errors import EnrolmentError
from projects.services.preferences import preferences_set, rankable_cohorts

# Lazy: this dict is built at import time, the language is chosen per request.
JOINED = {
    EnrolmentState.MEMBER: gettext_lazy("You have a place in this group. Welcome!"),
    EnrolmentState.WAITLISTED: gettext_lazy(
        "The group is full: you are on the waiting list, number %(position)s."
    ),
    EnrolmentState.APPLIED: gettext_lazy("Your application has been sent. You will hear from us."),
}


@login_required
@require_POST
def join_view(request, cohort_pk: int):
    cohort = get_object_or_404(Cohort.objects.select_related("project"), pk=cohort_pk)
    try:
        enrolment = enrolment_join(
            cohort_id=cohort.pk,
            student=request.user,
            motivation=posted_text(request.POST, "motivation"),
            vog_confirmed=request.POST.get("vog_confirmed") == "on",
        )
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(cohort.project.get_absolute_url())
    text = str(JOINED[enrolment.state])
    if enrolment.state == EnrolmentState.WAITLISTED:
        text = text % {"position": waitlist_position(enrolment)}
    messages.success(request, text)
    return redirect("projects:mine")


@login_required
@require_POST
def withdraw_view(request, pk: int):
    enrolment = get_object_or_404(Enrolment, pk=pk, student=request.user)
    try:
        enrolment_withdraw(enrolment_id=enrolment.pk, student=request.user)
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("You have left the group."))
    return redirect("projects:mine")


@login_required
def mine_view(request):
    enrolments = list(
        Enrolment.objects.filter(student=request.user)
        .annotate(ahead=waiting_ahead())
        .select_related("cohort__project", "cohort__period")
        .order_by("-cohort__starts_on")
    )
    for enrolment in enrolments:
        enrolment.position = (
            enrolment.ahead + 1 if enrolment.state == EnrolmentState.WAITLISTED else None
        )
    current = [e for e in enrolments if e.state in ACTIVE_ENROLMENT_STATES]
    past = [e for e in enrolments if e.state not in ACTIVE_ENROLMENT_STATES]
    preferences = CohortPreference.objects.filter(student=request.user).select_related(
        "cohort__project"
    )
    return render(
        request,
        "projects/student/mine.html",
        {"current": current, "past": past, "preferences": preferences},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rank_view(request):
    cohorts = rankable_cohorts(now=timezone.now())
    if request.method == "GET":
        current = CohortPreference.objects.filter(student=request.user, cohort__in=cohorts)
        return _rank_page(request, cohorts, {f"rank-{p.cohort_id}": p.rank for p in current})
    chosen = []
    for cohort in cohorts:
        raw = request.POST.get(f"rank-{cohort.pk}", "").strip()
        if not raw:
            continue
        try:
            chosen.append((int(raw), cohort.pk))
        except ValueError:
            messages.error(request, _("Use numbers for your ranking: 1 is your first choice."))
            return _rank_page(request, cohorts, request.POST)
    try:
        preferences_set(
            student=request.user,
            ranked_cohort_ids=[cohort_pk for _rank, cohort_pk in sorted(chosen)],
            vog_confirmed=request.POST.get("vog_confirmed") == "on",
        )
    except EnrolmentError as error:
        messages.error(request, str(error))
        return _rank_page(request, cohorts, request.POST)
    messages.success(
        request, _("Your choices have been saved. You can change them until registration closes.")
    )
    return redirect("projects:mine")


def _rank_page(request, cohorts, values):
    """The ranking form, keeping whatever the student typed."""
    rows = [(cohort, values.get(f"rank-{cohort.pk}", "")) for cohort in cohorts]
    return render(request, "projects/student/rank.html", {"rows": rows})


def _visible_cohort(request, cohort_pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("project"), pk=cohort_pk)
    if not request.user.has_perm("projects.view_team", cohort):
        raise Http404
    return cohort


@login_required
def team_view(request, cohort_pk: int):
    """The roster with contacts, for the team, its lecturers and partner, and coordinators."""
    cohort = _visible_cohort(request, cohort_pk)
    cohort = (
        Cohort.objects.select_related("project")
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(state=EnrolmentState.MEMBER).select_related(
                    "student__student_profile__institution"
                ),
                to_attr="members",
            ),
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(state=EnrolmentState.APPLIED).select_related(
                    "student__student_profile__institution"
                ),
                to_attr="applications",
            ),
            "project__lecturers",
            "project__organisations",
        )
        .get(pk=cohort.pk)
    )
    return render(
        request,
        "projects/student/team.html",
        {
            "cohort": cohort,
            "can_decide": request.user.has_perm("projects.decide_applications", cohort),
        },
    )


@login_required
@require_POST
def decide_view(request, pk: int):
    enrolment = get_object_or_404(Enrolment.objects.select_related("cohort__project"), pk=pk)
    if not request.user.has_perm("projects.decide_applications", enrolment.cohort):
        raise Http404
    admit = request.POST.get("decision") == "admit"
    try:
        enrolment_decide(enrolment_id=enrolment.pk, decider=request.user, admit=admit)
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The student has been admitted.")
            if admit
            else _("The application has been turned down."),
        )
    return redirect("projects:team", cohort_pk=enrolment.cohort_id)
