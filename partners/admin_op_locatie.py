"""Op Locatie's opening hours, kept by coordinators. partners/admin.py imports this."""

from django.contrib import admin

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import CoordinatorsOnly, PlatformAdmin
from partners.models import OpLocatieOpening


@admin.register(OpLocatieOpening)
class OpLocatieOpeningAdmin(CoordinatorsOnly, PlatformAdmin):
    list_display = ["valid_from", "weekday", "opens_at", "closes_at", "note"]
    list_filter = ["valid_from", "weekday"]
    date_hierarchy = "valid_from"
    fields = ["valid_from", "weekday", "opens_at", "closes_at", "note"]

    def has_view_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return is_coordinator(request.user) and super().has_module_permission(request)
