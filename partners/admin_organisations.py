"""Coordination pages for organisations and their members. partners/admin.py imports this.

Verification goes only through the action (organisation_verify: who, when, and a mail to
the administrators), so its fields are read-only here. Memberships, requests and
invitations are read-mostly: their rules (always an administrator, one open invitation,
a decision mailed to the person) live in the services, which the site's pages call.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lerenmetdestad.admin_base import PlatformAdmin, PlatformInline
from partners.enums import MembershipRole
from partners.models import Invitation, JoinRequest, Membership, Organisation
from partners.services.errors import OrganisationError
from partners.services.organisations import organisation_verify


class MembershipInline(PlatformInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("members (change them on the organisation's members page)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organisation")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(PlatformAdmin):
    list_display = [
        "name",
        "kind",
        "is_verified",
        "team_budget",
        "member_count",
        "admin_count",
        "neighbourhood_names",
        "created_at",
    ]
    list_filter = ["kind", "is_verified", "neighbourhoods", "is_public"]
    search_fields = ["name", "slug", "description", "memberships__user__email"]
    date_hierarchy = "created_at"
    list_per_page = 50
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["neighbourhoods"]
    readonly_fields = ["is_verified", "verified_at", "verified_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "description", "website", "address"]}),
        (_("Where and how much"), {"fields": ["neighbourhoods", "team_budget", "is_public"]}),
        (
            _("Verification"),
            {"fields": ["is_verified", "verified_at", "verified_by", "created_at"]},
        ),
    ]
    inlines = [MembershipInline]
    actions = ["verify_selected"]

    def get_queryset(self, request):
        # Counts and neighbourhoods for the whole page in two queries, whatever its length.
        return (
            super()
            .get_queryset(request)
            .select_related("verified_by")
            .prefetch_related("neighbourhoods")
            .annotate(
                members=Count("memberships", distinct=True),
                admins=Count(
                    "memberships",
                    filter=Q(memberships__role=MembershipRole.ADMIN),
                    distinct=True,
                ),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # A slug is part of every link to the organisation; it stays once chosen.
        if obj is not None:
            return [*self.readonly_fields, "slug"]
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    @admin.display(description=_("members"), ordering="members")
    def member_count(self, organisation: Organisation) -> int:
        return organisation.members

    @admin.display(description=_("administrators"), ordering="admins")
    def admin_count(self, organisation: Organisation) -> int:
        return organisation.admins

    @admin.display(description=_("neighbourhoods"))
    def neighbourhood_names(self, organisation: Organisation) -> str | None:
        # None shows the admin's own mark for "empty".
        return ", ".join(hood.name for hood in organisation.neighbourhoods.all()) or None

    def has_verify_permission(self, request) -> bool:
        return request.user.has_perm("partners.change_organisation")

    @admin.action(description=_("Verify selected organisations"), permissions=["verify"])
    def verify_selected(self, request, queryset) -> None:
        verified, skipped = 0, []
        for organisation in queryset.order_by("pk"):
            try:
                organisation_verify(organisation=organisation, coordinator=request.user)
            except OrganisationError as error:
                skipped.append(str(error))
            else:
                verified += 1
        if verified:
            self.message_user(
                request,
                ngettext(
                    "%(count)d organisation verified. Its administrators get an email.",
                    "%(count)d organisations verified. Their administrators get an email.",
                    verified,
                )
                % {"count": verified},
                messages.SUCCESS,
            )
        for reason in skipped:
            self.message_user(request, reason, messages.WARNING)


class _ReadMostlyAdmin(PlatformAdmin):
    """Coordinators look and search here; changes go through the organisation's pages."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(_ReadMostlyAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__name", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    fields = ["user", "organisation", "role", "created_at"]
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None) -> bool:
        # Removing a member must keep an administrator; the members page checks that.
        return False


@admin.register(JoinRequest)
class JoinRequestAdmin(_ReadMostlyAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["user__name", "user__email", "organisation__name"]
    list_select_related = ["user", "organisation", "decided_by"]
    date_hierarchy = "created_at"
    fields = ["user", "organisation", "message", "status", "created_at", "decided_at", "decided_by"]
    readonly_fields = fields


@admin.register(Invitation)
class InvitationAdmin(_ReadMostlyAdmin):
    list_display = ["email", "organisation", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation", "invited_by"]
    date_hierarchy = "created_at"
    fields = [
        "organisation",
        "email",
        "role",
        "invited_by",
        "created_at",
        "accepted_at",
        "accepted_by",
    ]
    readonly_fields = fields
    # Deleting an open invitation withdraws it: its link stops working.
