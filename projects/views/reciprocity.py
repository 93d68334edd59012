"""A student's own pages after a group: their reflection, their hours and their CSL record.

Each page is about one of the student's own places (enrolments); anyone else's answers 404.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import DecimalField, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from partners.models import Organisation
from projects.enums import CohortState, HoursState
from projects.forms.reciprocity import HoursEntryForm, ReflectionForm
from projects.models import Enrolment, Reflection
from projects.services.hours import HoursError, hours_log, hours_log_problem, hours_totals
from projects.services.reflections import (
    TOOK_PART_STATES,
    ReflectionError,
    reflection_problem,
    reflection_save,
)

# Groups that count on a student's record: they have started, and were not called off.
RECORD_COHORT_STATES = (CohortState.RUNNING, CohortState.HANDOVER, CohortState.COMPLETED)


def _own_enrolment(request, pk: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("cohort__project"), pk=pk, student=request.user
    )


@login_required
@require_http_methods(["GET", "POST"])
def reflection_view(request, pk: int):
    enrolment = _own_enrolment(request, pk)
    reflection = Reflection.objects.filter(enrolment=enrolment).first()
    problem = reflection_problem(enrolment=enrolment, now=timezone.now())
    status = 200
    if request.method == "POST":
        form = ReflectionForm(request.POST)
        if form.is_valid():
            try:
                reflection_save(enrolment_id=enrolment.pk, student=request.user, text=form.text())
            except ReflectionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your reflection has been saved."))
                return redirect("projects:reflection", pk=enrolment.pk)
        else:
            messages.error(request, _("Not saved yet: please check the fields marked below."))
        status = 400
    else:
        initial = {}
        if reflection is not None:
            initial = {
                "learned": reflection.learned,
                "contribution": reflection.contribution,
                "next_time": reflection.next_time,
            }
        form = ReflectionForm(initial=initial)
    return render(
        request,
        "projects/reciprocity/reflection.html",
        {"enrolment": enrolment, "reflection": reflection, "problem": problem, "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours_view(request, pk: int):
    """The student's hours for one group: the list, the totals, and a form to add a day."""
    enrolment = _own_enrolment(request, pk)
    problem = hours_log_problem(enrolment=enrolment, now=timezone.now())
    status = 200
    if request.method == "POST":
        form = HoursEntryForm(request.POST)
        if form.is_valid():
            try:
                hours_log(enrolment_id=enrolment.pk, student=request.user, **form.cleaned_data)
            except HoursError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Your hours have been logged. Your teacher or the partner confirms them."),
                )
                return redirect("projects:hours", pk=enrolment.pk)
        status = 400
    else:
        form = HoursEntryForm()
    entries = enrolment.hours.select_related("decided_by").order_by("-worked_on", "-pk")
    return render(
        request,
        "projects/reciprocity/hours.html",
        {
            "enrolment": enrolment,
            "entries": entries,
            "totals": hours_totals(enrolment.hours.all()),
            "problem": problem,
            "form": form,
        },
        status=status,
    )


@login_required
@require_safe
def csl_record_view(request):
    """Mijn CSL-overzicht: every group the student took part in, to print or save as PDF."""
    if not request.user.has_perm("projects.view_csl_record"):
        raise Http404
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=6, decimal_places=1))
    enrolments = list(
        Enrolment.objects.filter(
            student=request.user,
            state__in=TOOK_PART_STATES,
            cohort__state__in=RECORD_COHORT_STATES,
        )
        .select_related("cohort__project", "cohort__period", "reflection")
        .prefetch_related(
            Prefetch(
                "cohort__project__organisations",
                queryset=Organisation.objects.order_by("name"),
            )
        )
        .annotate(
            confirmed_hours=Coalesce(
                Sum("hours__hours", filter=Q(hours__state=HoursState.CONFIRMED)), zero
            )
        )
        .order_by("cohort__starts_on", "pk")
    )
    profile = getattr(request.user, "student_profile", None)
    return render(
        request,
        "projects/reciprocity/csl_record.html",
        {
            "enrolments": enrolments,
            "total_confirmed": sum((e.confirmed_hours for e in enrolments), Decimal(0)),
            "profile": profile,
            "today": timezone.localdate(),
        },
    )
