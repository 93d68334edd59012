"""Allocations in the admin: make a dry run, review who got what and why, then publish.

"Add" is the dry run: the coordinator picks the groups whose ranking window has closed and
the mode, and the engine proposes. The change page is the review (read-only); its actions
publish the run (enrolments and mails, through the projects service) or discard it.
"""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import (
    BOTH_LOCATIONS,
    CHANGE_FORM_ACTION,
    CoordinatorsOnly,
    PlatformAdmin,
)
from matching.enums import AllocationMode, AllocationRunState
from matching.models import AllocationRun, Placement
from matching.services import (
    AllocationError,
    allocation_discard,
    allocation_dry_run,
    allocation_publish_run,
)
from projects.models import Cohort
from projects.services.allocation import allocatable_cohorts


class CohortChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Cohort) -> str:
        return gettext("%(cohort)s (registration closed %(closed)s, %(places)s places)") % {
            "cohort": obj,
            "closed": timezone.localtime(obj.registration_closes_at).strftime("%d-%m-%Y %H:%M"),
            "places": obj.max_size,
        }


class DryRunForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("How to share out the places"),
        choices=AllocationMode.choices,
        initial=AllocationMode.WELFARE,
        widget=forms.RadioSelect,
        help_text=_(
            "Stable mode needs the lecturers or partners to have ranked their applicants; "
            "applicants they did not rank come last, in the order they signed up."
        ),
    )
    cohorts = CohortChoices(
        label=_("Groups"),
        queryset=Cohort.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Groups in preference mode whose registration has closed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = (
            allocatable_cohorts(now=timezone.now())
            .select_related("project")
            .order_by("starts_on", "project__title", "number")
        )


@admin.register(AllocationRun)
class AllocationRunAdmin(CoordinatorsOnly, PlatformAdmin):
    list_display = ["__str__", "state", "mode", "placed", "first_choice", "unplaced", "created_at"]
    list_filter = ["state", "mode"]
    list_select_related = ["created_by"]
    fields = ["mode", "state", "created_by", "created_at", "published_by", "published_at"]
    readonly_fields = fields
    change_form_template = "admin/matching/allocationrun/change_form.html"
    actions = ["publish_runs", "discard_runs"]

    def has_view_permission(self, request, obj=None) -> bool:
        # Who got which place, and why not, is for coordinators only.
        return is_coordinator(request.user) and super().has_view_permission(request, obj)

    def may_delete(self, obj) -> bool:
        # A published run is the record of why students got their places.
        return obj.state != AllocationRunState.PUBLISHED

    @admin.display(description=_("placed"))
    def placed(self, obj: AllocationRun) -> int:
        return obj.summary.get("placed", 0)

    @admin.display(description=_("first choice"))
    def first_choice(self, obj: AllocationRun) -> int:
        return obj.summary.get("first_choice", 0)

    @admin.display(description=_("without a place"))
    def unplaced(self, obj: AllocationRun) -> int:
        return obj.summary.get("unplaced", 0)

    def add_view(self, request, form_url="", extra_context=None):
        """The dry run: choose groups and mode; the engine proposes, nobody is told yet."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = DryRunForm(request.POST)
            if form.is_valid():
                try:
                    run = allocation_dry_run(
                        cohort_ids=[c.pk for c in form.cleaned_data["cohorts"]],
                        mode=form.cleaned_data["mode"],
                        actor=request.user,
                    )
                except AllocationError as error:
                    form.add_error(None, str(error))
                else:
                    self.message_user(
                        request,
                        gettext("Dry run made: check it, then publish it. Nobody has been told."),
                    )
                    return HttpResponseRedirect(
                        reverse("admin:matching_allocationrun_change", args=[run.pk])
                    )
        else:
            form = DryRunForm(initial={"cohorts": DryRunForm().fields["cohorts"].queryset})
        title = gettext("Share out places: dry run")
        return TemplateResponse(
            request,
            "admin/matching/allocationrun/dry_run.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "opts": self.opts,
            },
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra = {"review": allocation_review(run)} if run is not None else {}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @admin.action(
        permissions=["coordinate"],
        description=_("Publish: give the places and mail every student"),
        location=BOTH_LOCATIONS,
    )
    def publish_runs(self, request, queryset):
        runs = list(queryset.order_by("created_at", "pk"))
        if "apply" not in request.POST:
            label = gettext("Publish: give the places and mail every student")
            return TemplateResponse(
                request,
                "admin/matching/allocationrun/publish.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "action_label": label,
                    "action": "publish_runs",
                    "action_field": CHANGE_FORM_ACTION
                    if CHANGE_FORM_ACTION in request.POST
                    else "action",
                    "runs": runs,
                    "opts": self.opts,
                },
            )
        for run in runs:
            try:
                allocation_publish_run(run_id=run.pk, actor=request.user)
            except AllocationError as error:
                self.message_user(request, f"{run}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(run)s: published; %(placed)s students have a place.")
                    % {"run": run, "placed": run.summary.get("placed", 0)},
                )
        return None

    @admin.action(
        permissions=["coordinate"],
        description=_("Discard the dry run"),
        location=BOTH_LOCATIONS,
    )
    def discard_runs(self, request, queryset):
        for run in queryset.order_by("pk"):
            try:
                allocation_discard(run_id=run.pk, actor=request.user)
            except AllocationError as error:
                self.message_user(request, f"{run}: {error}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(run)s: discarded.") % {"run": run})


def allocation_review(run: AllocationRun) -> dict:
    """Who got which choice, per group, and who got none and why; three queries for any size."""
    cohorts = list(run.cohorts.select_related("project").order_by("starts_on", "pk"))
    placements = list(
        Placement.objects.filter(run=run)
        .select_related("student")
        .order_by("rank", "student__name", "student_id")
    )
    by_cohort: dict[int, list[Placement]] = defaultdict(list)
    unplaced = []
    for placement in placements:
        if placement.cohort_id is None:
            unplaced.append(placement)
        else:
            by_cohort[placement.cohort_id].append(placement)
    closed = set(run.summary.get("closed_cohorts", []))
    groups = [
        {
            "cohort": cohort,
            "placements": by_cohort.get(cohort.pk, []),
            "closed": cohort.pk in closed,
            "below_minimum": 0 < len(by_cohort.get(cohort.pk, [])) < cohort.min_size,
        }
        for cohort in cohorts
    ]
    histogram = sorted((int(rank), n) for rank, n in run.summary.get("rank_histogram", {}).items())
    return {
        "groups": groups,
        "unplaced": unplaced,
        "summary": run.summary,
        "histogram": histogram,
        "costs": [
            (COST_LABELS[key], value)
            for key, value in run.summary.get("costs", {}).items()
            if key in COST_LABELS
        ],
    }


# What the team rules cost, in words for the review page (keys: matching.core.allocation).
COST_LABELS = {
    "mixing_extra_rank_cost": _("Mixing mbo, hbo and university: extra choice steps"),
    "mixed_teams": _("Teams with students of two or more levels"),
    "team_budgets_extra_unplaced": _(
        "Partners' team budgets: students without a place because of them"
    ),
    "team_budgets_extra_rank_cost": _("Partners' team budgets: extra choice steps"),
    "team_budgets_closed": _("Partners' team budgets: groups that do not start"),
    "min_sizes_extra_unplaced": _("Minimum team sizes: students without a place because of them"),
    "min_sizes_extra_rank_cost": _("Minimum team sizes: extra choice steps"),
    "min_sizes_closed": _("Minimum team sizes: groups that do not start"),
    "min_sizes_filled": _("Minimum team sizes: groups filled up to their minimum"),
}
