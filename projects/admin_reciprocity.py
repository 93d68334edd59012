"""What students and partners gave back after a group, for coordinators to read.

Read-only: reflections, hours and feedback are written by the people themselves on the site
(projects.services.reflections, hours and feedback), and hours are decided there by the
project's lecturers and partners, so the admin only shows them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import WithoutBulkDelete
from projects.models import HoursEntry, PartnerFeedback, Reflection


class ReadOnlyForCoordinators(WithoutBulkDelete):
    """Coordinators look; nobody adds, changes or deletes here."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_view_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Reflection)
class ReflectionAdmin(ReadOnlyForCoordinators, admin.ModelAdmin):
    list_display = ["student", "project", "cohort_start", "submitted_at"]
    list_filter = ["enrolment__cohort__project__csl_level", "enrolment__cohort__state"]
    list_select_related = ["enrolment__student", "enrolment__cohort__project"]
    search_fields = [
        "enrolment__student__name",
        "enrolment__student__email",
        "enrolment__cohort__project__title",
    ]
    date_hierarchy = "submitted_at"

    @admin.display(description=_("student"), ordering="enrolment__student__name")
    def student(self, obj: Reflection) -> str:
        return obj.enrolment.student.name

    @admin.display(description=_("project"), ordering="enrolment__cohort__project__title")
    def project(self, obj: Reflection) -> str:
        return obj.enrolment.cohort.project.title

    @admin.display(description=_("group starts"), ordering="enrolment__cohort__starts_on")
    def cohort_start(self, obj: Reflection):
        return obj.enrolment.cohort.starts_on


@admin.register(HoursEntry)
class HoursEntryAdmin(ReadOnlyForCoordinators, admin.ModelAdmin):
    list_display = [
        "student",
        "project",
        "worked_on",
        "hours",
        "description",
        "state",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["state", "enrolment__cohort__project"]
    list_select_related = ["enrolment__student", "enrolment__cohort__project", "decided_by"]
    search_fields = [
        "enrolment__student__name",
        "enrolment__student__email",
        "enrolment__cohort__project__title",
        "description",
    ]
    date_hierarchy = "worked_on"

    @admin.display(description=_("student"), ordering="enrolment__student__name")
    def student(self, obj: HoursEntry) -> str:
        return obj.enrolment.student.name

    @admin.display(description=_("project"), ordering="enrolment__cohort__project__title")
    def project(self, obj: HoursEntry) -> str:
        return obj.enrolment.cohort.project.title


@admin.register(PartnerFeedback)
class PartnerFeedbackAdmin(ReadOnlyForCoordinators, admin.ModelAdmin):
    list_display = ["organisation", "cohort", "rating", "author", "submitted_at"]
    list_filter = ["rating", "organisation"]
    list_select_related = ["organisation", "cohort__project", "author"]
    search_fields = ["organisation__name", "cohort__project__title", "went_well", "could_improve"]
    date_hierarchy = "submitted_at"
