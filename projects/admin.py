"""Coordinating projects and academic periods; cohorts and enrolments are in admin_cohorts.

A new project is made from an accepted challenge: the add page lists the challenges waiting
for one, and ?challenge=<pk> fills the form in from it (project_prefill). Saving goes through
project_create_from_challenge, which also moves the challenge to in progress.
"""

from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import User
from lerenmetdestad.admin_base import CoordinatorsOnly, PlatformAdmin
from partners.enums import ChallengeState
from partners.models import Challenge, Organisation, Theme
from projects.admin_cohorts import CohortAdmin, CohortInline, EnrolmentAdmin, save_cohort_form
from projects.admin_handover import HandoverDossierAdmin  # noqa: F401 (registers itself)
from projects.admin_reciprocity import HoursEntryAdmin  # noqa: F401 (registers all three)
from projects.admin_redaction import CohortLogEntryAdmin  # noqa: F401 (registers itself)
from projects.enums import CohortState
from projects.forms.admin import ProjectAdminForm
from projects.models import AcademicPeriod, Cohort, Project
from projects.services.errors import CohortError
from projects.services.projects import (
    FIELDS,
    SOURCE_STATES,
    project_create_from_challenge,
    project_prefill,
)

__all__ = ["AcademicPeriodAdmin", "CohortAdmin", "EnrolmentAdmin", "ProjectAdmin"]


@admin.register(Project)
class ProjectAdmin(CoordinatorsOnly, PlatformAdmin):
    form = ProjectAdminForm
    # The groups' project field searches here page by page; pages need a fixed order.
    ordering = ["title", "pk"]
    list_display = [
        "title",
        "organisation_names",
        "csl_level",
        "neighbourhood",
        "theme_names",
        "cohort_total",
        "created_at",
    ]
    list_filter = ["csl_level", "themes", "neighbourhood", "organisations", "location_kind"]
    list_select_related = ["neighbourhood"]
    search_fields = ["title", "summary", "challenge__title", "organisations__name"]
    date_hierarchy = "created_at"
    filter_horizontal = ["themes", "organisations", "lecturers"]
    inlines = [CohortInline]
    change_form_template = "admin/projects/project/change_form.html"

    def get_queryset(self, request):
        # Names of partners and themes for the whole page in two queries, whatever its length.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
                Prefetch("themes", queryset=Theme.objects.order_by("name")),
            )
            .annotate(cohort_count=Count("cohorts", distinct=True))
        )

    def get_fieldsets(self, request, obj=None):
        where = ["neighbourhood", "location_kind", "location"]
        who = ["organisations", "lecturers", "institution_kinds", "language"]
        how = ["csl_level", "weekdays", "hours_per_week", "works_with_vulnerable_residents"]
        first = ["challenge", "title", "summary", "description", "themes"]
        if obj is not None:
            first = ["challenge", "title", "slug", "summary", "description", "themes"]
        return [
            (None, {"fields": first}),
            (_("Where"), {"fields": where}),
            (_("Who"), {"fields": who}),
            (_("How"), {"fields": how}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # The challenge and the address of the project's page stay as they were made.
        return ["challenge", "slug", "created_at"] if obj is not None else []

    def get_inlines(self, request, obj):
        # Cohorts are added once the project exists (save and continue editing).
        return self.inlines if obj is not None else []

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "lecturers":
            kwargs["queryset"] = User.objects.filter(role=Role.RESEARCHER, is_active=True)
        if db_field.name == "organisations":
            kwargs["queryset"] = Organisation.objects.filter(is_verified=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def may_delete(self, obj: Project) -> bool:
        # A project whose groups have started has students' history; it is not deleted.
        return not obj.cohorts.exclude(state=CohortState.PLANNED).exists()

    # --- Making a project from a challenge --------------------------------------------------

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        pk = request.GET.get("challenge", "")
        if not pk:
            return initial
        challenge = (
            Challenge.objects.filter(pk=pk, state__in=SOURCE_STATES).first()
            if pk.isdigit()
            else None
        )
        if challenge is None:
            self.message_user(
                request,
                gettext("This challenge cannot become a project: it is not accepted."),
                messages.WARNING,
            )
            initial.pop("challenge", None)
            return initial
        return {**initial, **project_prefill(challenge), "challenge": challenge}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id is None:
            extra_context["waiting_challenges"] = (
                Challenge.objects.filter(state=ChallengeState.ACCEPTED)
                .select_related("organisation")
                .order_by("state_changed_at")
            )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {name: value for name, value in form.cleaned_data.items() if name in FIELDS}
        project = project_create_from_challenge(
            challenge=form.cleaned_data["challenge"], actor=request.user, **fields
        )
        # The admin goes on with the object its form built; make it the saved project.
        obj.pk, obj.slug, obj.created_at = project.pk, project.slug, project.created_at
        obj._state.adding = False
        obj._state.db = project._state.db

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
        # On add the service has set themes, partners and lecturers already.

    def save_formset(self, request, form, formset, change):
        if formset.model is not Cohort:
            super().save_formset(request, form, formset, change)
            return
        # Cohorts are saved through the services; the admin's history needs these lists.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for cohort_form in formset.forms:
            if not cohort_form.has_changed():
                continue
            is_new = cohort_form.instance.pk is None
            cohort_form.instance.project = form.instance
            try:
                cohort = save_cohort_form(request, cohort_form)
            except CohortError as error:
                self.message_user(request, f"{cohort_form.instance}: {error}", messages.ERROR)
                continue
            if is_new:
                formset.new_objects.append(cohort)
            else:
                formset.changed_objects.append((cohort, cohort_form.changed_data))

    @admin.display(description=_("partner organisations"))
    def organisation_names(self, obj: Project) -> str:
        return ", ".join(organisation.name for organisation in obj.organisations.all())

    @admin.display(description=_("themes"))
    def theme_names(self, obj: Project) -> str:
        return ", ".join(theme.name for theme in obj.themes.all())

    @admin.display(description=_("groups"), ordering="cohort_count")
    def cohort_total(self, obj: Project) -> int:
        return obj.cohort_count


@admin.register(AcademicPeriod)
class AcademicPeriodAdmin(PlatformAdmin):
    list_display = ["name", "starts_on", "ends_on", "cohort_total"]
    search_fields = ["name"]
    ordering = ["starts_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cohort_count=Count("cohorts"))

    @admin.display(description=_("groups"), ordering="cohort_count")
    def cohort_total(self, obj: AcademicPeriod) -> int:
        return obj.cohort_count
