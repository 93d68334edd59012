from django.contrib import admin

from lerenmetdestad.admin_base import PlatformAdmin
from partners.admin_challenges import ChallengeAdmin
from partners.admin_op_locatie import OpLocatieOpeningAdmin
from partners.admin_organisations import OrganisationAdmin
from partners.models import Neighbourhood, Theme

__all__ = ["ChallengeAdmin", "OpLocatieOpeningAdmin", "OrganisationAdmin"]


@admin.register(Theme)
class ThemeAdmin(PlatformAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(PlatformAdmin):
    list_display = ["name", "district", "resident_contact_budget"]
    list_filter = ["district"]
    search_fields = ["name", "district"]
    prepopulated_fields = {"slug": ["name"]}
