"""What students and partners gave back after a group, for coordinators to read.

Read-only: reflections, hours and feedback are written by the people themselves on the site
(projects.services.reflections, hours and feedback), and hours are decided there by the
project's lecturers and partners, so the admin only shows them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from lerenmetdestad.admin_base import PlatformAdmin, ReadOnlyForCoordinators
from projects.models import HoursEntry, PartnerFeedback, Reflection


class OfAPlaceInAGroup(ReadOnlyForCoordinators):
    """Rows that belong to one student's place in a group (an enrolment)."""

    search_fields = [
        "enrolment__student__name",
        "enrolment__student__email",
        "enrolment__cohort__project__title",
    ]

    @admin.display(description=_("student"), ordering="enrolment__student__name")
    def student(self, obj: Reflection | HoursEntry) -> str:
        return obj.enrolment.student.name

    @admin.display(description=_("project"), ordering="enrolment__cohort__project__title")
    def project(self, obj: Reflection | HoursEntry) -> str:
        return obj.enrolment.cohort.project.title


@admin.register(Reflection)
class ReflectionAdmin(OfAPlaceInAGroup, PlatformAdmin):
    list_display = ["student", "project", "cohort_start", "submitted_at"]
    list_filter = ["enrolment__cohort__project__csl_level", "enrolment__cohort__state"]
    list_select_related = ["enrolment__student", "enrolment__cohort__project"]
    date_hierarchy = "submitted_at"

    @admin.display(description=_("group starts"), ordering="enrolment__cohort__starts_on")
    def cohort_start(self, obj: Reflection):
        return obj.enrolment.cohort.starts_on


@admin.register(HoursEntry)
class HoursEntryAdmin(OfAPlaceInAGroup, PlatformAdmin):
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
    search_fields = [*OfAPlaceInAGroup.search_fields, "description"]
    date_hierarchy = "worked_on"


@admin.register(PartnerFeedback)
class PartnerFeedbackAdmin(ReadOnlyForCoordinators, PlatformAdmin):
    list_display = ["organisation", "cohort", "rating", "author", "submitted_at"]
    list_filter = ["rating", "organisation"]
    list_select_related = ["organisation", "cohort__project", "author"]
    search_fields = ["organisation__name", "cohort__project__title", "went_well", "could_improve"]
    date_hierarchy = "submitted_at"
