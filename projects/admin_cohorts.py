"""Coordinating cohorts: their state, their students and the roster. projects/admin.py imports
this.

State changes only go through the actions, which call cohort_transition; the state field is
read-only everywhere. Opening shows each partner's load and asks for a reason to go beyond
a budget; cancelling asks for a message to the students. Actions are for coordinators only.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import (
    BOTH_LOCATIONS,
    CHANGE_FORM_ACTION,
    CoordinatorActions,
    CoordinatorsOnly,
    PlatformAdmin,
    PlatformInline,
    ReadOnlyInline,
    WithoutBulkDelete,
    transition_action,
)
from projects.enums import CohortState, EnrolmentState
from projects.forms.admin import CohortAdminForm
from projects.models import Cohort, CohortLogEntry, Enrolment
from projects.services.cohorts import (
    EDITABLE_FIELDS,
    EDITABLE_STATES,
    PLANNED_ONLY_FIELDS,
    CohortAction,
    cohort_create,
    cohort_open_loads,
    cohort_roster,
    cohort_transition,
    cohort_update,
    enrolments_mark_vog_checked,
)
from projects.services.errors import CohortBudgetError, CohortError
from projects.services.merge import cohort_merge, merge_targets


class CohortActionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the students"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when you cancel. Everyone who was in the group reads it."),
    )
    override_reason = forms.CharField(
        label=_("Reason to open beyond a budget"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Only needed when opening goes over a partner's or a neighbourhood's budget."),
    )


def with_counts(queryset):
    """Members and waiting list per cohort, counted in the same query as the cohorts."""
    return queryset.annotate(
        member_total=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.MEMBER)),
        waiting_total=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.WAITLISTED)),
    )


class CohortInline(PlatformInline):
    """A project's cohorts. Dates and sizes can change while a cohort is planned or open."""

    model = Cohort
    form = CohortAdminForm
    fields = [
        "number",
        "period",
        "starts_on",
        "ends_on",
        "registration_opens_at",
        "registration_closes_at",
        "min_size",
        "max_size",
        "admission_mode",
        "state",
        "team",
    ]
    readonly_fields = ["state", "team"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request).select_related("project"))

    def has_add_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_change_permission(request, obj)

    @admin.display(description=_("team"))
    def team(self, obj: Cohort) -> str:
        if obj.pk is None:
            return "-"
        return f"{getattr(obj, 'member_total', 0)} / {obj.max_size}"


def save_cohort_form(request, form) -> Cohort:
    """Save one cohort form through the services: a new cohort, or the fields that changed."""
    if form.instance.pk is None:
        return cohort_create(cohort=form.instance, actor=request.user)
    changes = {
        name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS
    }
    return cohort_update(cohort_id=form.instance.pk, actor=request.user, changes=changes)


class EnrolmentInline(ReadOnlyInline):
    model = Enrolment
    fields = ["student", "state", "queued_at", "vog_confirmed", "vog_checked_at", "motivation"]
    verbose_name_plural = _("students (check VOGs on the enrolments page, link above)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "cohort__project")


class CohortLogInline(ReadOnlyInline):
    model = CohortLogEntry
    fields = ["created_at", "actor", "action", "from_state", "to_state", "message", "data"]
    # A line's own page has the "Redact text" action (projects/admin_redaction.py).
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "cohort__project")


@admin.register(Cohort)
class CohortAdmin(CoordinatorsOnly, PlatformAdmin):
    form = CohortAdminForm
    list_display = [
        "project",
        "number",
        "state",
        "admission_mode",
        "period",
        "starts_on",
        "ends_on",
        "team",
        "waiting",
    ]
    list_display_links = ["project", "number"]
    list_filter = ["state", "admission_mode", "period", "project"]
    list_select_related = ["project", "period"]
    search_fields = ["project__title"]
    date_hierarchy = "starts_on"
    ordering = ["starts_on", "pk"]
    readonly_fields = ["state", "state_changed_at", "created_at", "team", "waiting", "vog_link"]
    inlines = [EnrolmentInline, CohortLogInline]
    actions = [
        transition_action(CohortAction.OPEN, _("Open registration"), model="cohorts", confirm=True),
        transition_action(CohortAction.CLOSE, _("Close registration"), model="cohorts"),
        transition_action(CohortAction.START, _("Start"), model="cohorts"),
        transition_action(CohortAction.HAND_OVER, _("Start the handover"), model="cohorts"),
        transition_action(CohortAction.COMPLETE, _("Complete"), model="cohorts"),
        transition_action(CohortAction.CANCEL, _("Cancel"), model="cohorts", confirm=True),
        "merge_cohorts",
        "export_roster",
    ]

    def get_queryset(self, request):
        return with_counts(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = [
            "project",
            "number",
            "period",
            "starts_on",
            "ends_on",
            "registration_opens_at",
            "registration_closes_at",
            "min_size",
            "max_size",
            "admission_mode",
        ]
        if obj is None:
            return fields
        return [*fields, "state", "state_changed_at", "created_at", "team", "waiting", "vog_link"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("project")
            if obj.state != CohortState.PLANNED:
                readonly += PLANNED_ONLY_FIELDS
            if obj.state not in EDITABLE_STATES:
                readonly += sorted(EDITABLE_FIELDS - set(PLANNED_ONLY_FIELDS))
        return readonly

    def may_delete(self, obj: Cohort) -> bool:
        # Only a group nobody has joined yet; later ones are cancelled instead.
        return obj.state == CohortState.PLANNED

    def save_model(self, request, obj, form, change):
        save_cohort_form(request, form)

    @admin.display(description=_("team"), ordering="member_total")
    def team(self, obj: Cohort) -> str:
        return f"{obj.member_total} / {obj.max_size}"

    @admin.display(description=_("waiting list"), ordering="waiting_total")
    def waiting(self, obj: Cohort) -> int:
        return obj.waiting_total

    @admin.display(description=_("certificates of conduct (VOG)"))
    def vog_link(self, obj: Cohort):
        url = reverse("admin:projects_enrolment_changelist") + f"?cohort__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Check the VOGs of this group"))

    # --- Actions ----------------------------------------------------------------------------

    def transition(self, request, queryset, action: CohortAction, label, *, confirm: bool):
        cohorts = list(queryset.select_related("project__challenge", "project__neighbourhood"))
        action_field = CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action"
        if confirm and "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/projects/cohort/transition.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "action": f"{action}_cohorts",
                    "action_field": action_field,
                    "action_label": label,
                    "needs_message": action == CohortAction.CANCEL,
                    "shows_budget": action == CohortAction.OPEN,
                    "rows": [
                        (cohort, _load_lines(cohort) if action == CohortAction.OPEN else "")
                        for cohort in cohorts
                    ],
                    "form": CohortActionForm(),
                    "opts": self.model._meta,
                },
            )
        form = CohortActionForm(request.POST)
        form.is_valid()
        done = 0
        for cohort in cohorts:
            try:
                result = cohort_transition(
                    cohort_id=cohort.pk,
                    action=action,
                    actor=request.user,
                    message=form.cleaned_data.get("message", ""),
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            except CohortBudgetError as error:
                self.message_user(request, f"{cohort}: {error}", messages.WARNING)
            except CohortError as error:
                self.message_user(request, f"{cohort}: {error}", messages.ERROR)
            else:
                done += 1
                if action == CohortAction.CLOSE:
                    self._warn_below_minimum(request, result)
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(label)s: %(count)d group done.",
                    "%(label)s: %(count)d groups done.",
                    done,
                )
                % {"label": label, "count": done},
            )
        return None

    def _warn_below_minimum(self, request, cohort: Cohort) -> None:
        members = cohort.enrolments.filter(state=EnrolmentState.MEMBER).count()
        if members < cohort.min_size:
            self.message_user(
                request,
                gettext(
                    "%(cohort)s has %(members)d of the %(min)d students it needs. "
                    "Decide whether it runs, merges or is cancelled."
                )
                % {"cohort": cohort, "members": members, "min": cohort.min_size},
                messages.WARNING,
            )

    @admin.action(
        permissions=["coordinate"],
        description=_("Merge into another group of the project"),
        location=BOTH_LOCATIONS,
    )
    def merge_cohorts(self, request, queryset):
        cohorts = list(queryset.select_related("project"))
        if len(cohorts) != 1:
            self.message_user(request, gettext("Choose one group to merge."), messages.ERROR)
            return None
        source = cohorts[0]
        targets = merge_targets(source)
        target_pk = request.POST.get("target")
        if "apply" not in request.POST or not target_pk:
            return TemplateResponse(
                request,
                "admin/projects/cohort/merge.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("Merge %(cohort)s") % {"cohort": source},
                    "source": source,
                    "targets": targets,
                    "action_field": CHANGE_FORM_ACTION
                    if CHANGE_FORM_ACTION in request.POST
                    else "action",
                    "opts": self.model._meta,
                },
            )
        try:
            target = cohort_merge(source_id=source.pk, target_id=int(target_pk), actor=request.user)
        except (CohortError, ValueError, Cohort.DoesNotExist) as error:
            self.message_user(request, f"{source}: {error}", messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(source)s is merged into %(target)s.")
                % {"source": source, "target": target},
            )
        return None

    @admin.action(
        permissions=["coordinate"],
        description=_("Export the roster as CSV"),
        location=BOTH_LOCATIONS,
    )
    def export_roster(self, request, queryset):
        cohorts = list(queryset.select_related("project").order_by("starts_on", "pk"))
        name = slugify(str(cohorts[0])) if len(cohorts) == 1 else "groepen"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="roster-{name}-{timezone.localdate():%Y%m%d}.csv"'
        )
        # A byte order mark, so spreadsheet programs read the names' accents as UTF-8.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                gettext("Group"),
                gettext("Name"),
                gettext("Email"),
                gettext("Institution"),
                gettext("Programme"),
                gettext("State"),
                gettext("Place on the waiting list"),
                gettext("VOG confirmed by student"),
                gettext("VOG checked on"),
            ]
        )
        for row in cohort_roster([cohort.pk for cohort in cohorts]):
            writer.writerow(
                _safe_cells(
                    [
                        row.cohort,
                        row.name,
                        row.email,
                        row.institution,
                        row.programme,
                        row.state,
                        row.waitlist_position or "",
                        gettext("yes") if row.vog_confirmed else gettext("no"),
                        timezone.localdate(row.vog_checked_at).isoformat()
                        if row.vog_checked_at
                        else "",
                    ]
                )
            )
        return response


def _safe_cells(cells: list) -> list:
    """Names and programmes are typed by students: a cell starting with = + - @ would run as a
    formula in a spreadsheet, so it gets a leading apostrophe (OWASP's advice for CSV)."""
    return [
        f"'{cell}"
        if isinstance(cell, str) and cell[:1] in {"=", "+", "-", "@", "\t", "\r"}
        else cell
        for cell in cells
    ]


def _load_lines(cohort: Cohort):
    lines = [
        (
            line.label,
            f"{line.after} / {line.budget}",
            gettext(" (over budget)") if line.over else "",
        )
        for line in cohort_open_loads(cohort)
    ]
    return format_html_join("", "<div>{}: {}{}</div>", lines)


@admin.register(Enrolment)
class EnrolmentAdmin(WithoutBulkDelete, CoordinatorActions, PlatformAdmin):
    """Students in cohorts, to check certificates of conduct (VOG). Joining, leaving and the
    waiting list follow the enrolment rules on the site, so everything else is read-only."""

    list_display = [
        "student",
        "cohort",
        "state",
        "vog_confirmed",
        "vog_checked_at",
        "vog_checked_by",
        "queued_at",
    ]
    list_filter = [
        "state",
        "vog_confirmed",
        ("vog_checked_at", admin.EmptyFieldListFilter),
        "cohort__project__works_with_vulnerable_residents",
    ]
    list_select_related = ["student", "cohort__project", "vog_checked_by"]
    search_fields = ["student__name", "student__email", "cohort__project__title"]
    actions = ["mark_vog_checked", "undo_vog_check"]
    readonly_fields = [
        "cohort",
        "student",
        "state",
        "motivation",
        "vog_confirmed",
        "vog_checked_at",
        "vog_checked_by",
        "queued_at",
        "decided_by",
        "created_at",
        "state_changed_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(permissions=["coordinate"], description=_("Mark VOG checked"))
    def mark_vog_checked(self, request, queryset):
        self._vog(request, queryset, checked=True)

    @admin.action(permissions=["coordinate"], description=_("Undo the VOG check"))
    def undo_vog_check(self, request, queryset):
        self._vog(request, queryset, checked=False)

    def _vog(self, request, queryset, *, checked: bool) -> None:
        try:
            count = enrolments_mark_vog_checked(
                enrolment_ids=list(queryset.values_list("pk", flat=True)),
                actor=request.user,
                checked=checked,
            )
        except CohortError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d student changed.", "%(count)d students changed.", count)
            % {"count": count},
        )
