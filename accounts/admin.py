from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import DatabaseError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    ErasureFailure,
    Institution,
    InstitutionEmailDomain,
    ResearcherProfile,
    StudentProfile,
    User,
)
from accounts.privacy.erasure import ErasureError, account_anonymise, failure_log
from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import (
    CoordinatorPermissions,
    ReadOnlyForCoordinators,
    WithoutBulkDelete,
)


@admin.register(User)
class UserAdmin(WithoutBulkDelete, DjangoUserAdmin):
    # Deleting an account would take its places, hours and history with it: coordinators
    # erase it instead, which keeps what others need and removes what is the person's.
    actions = ["erase_accounts"]
    ordering = ["name", "email"]
    list_display = ["name", "email", "role", "language", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "language", "is_staff", "is_active", "groups"]
    search_fields = ["name", "email"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name", "role", "language")}),
        (
            _("Rights"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "role", "password1", "password2")},
        ),
    )

    def has_erase_permission(self, request) -> bool:
        # Coordinators only view accounts (roles.py) but may erase one when the person asks.
        return is_coordinator(request.user) and self.has_view_permission(request)

    @admin.action(permissions=["erase"], description=_("Erase the selected accounts"))
    def erase_accounts(self, request, queryset):
        people = list(queryset.order_by("name", "pk"))
        label = gettext("Erase the selected accounts")
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/accounts/user/erase.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "selected": people,
                    "action": "erase_accounts",
                    "action_field": "action",
                    "action_label": label,
                    "opts": self.model._meta,
                },
            )
        erased = 0
        for person in people:
            try:
                done = account_anonymise(user_id=person.pk)
            except ErasureError as error:
                self.message_user(request, f"{person.pk}: {error}", messages.ERROR)
            except DatabaseError as error:
                failure_log(person.pk, error, where="admin")
                self.message_user(
                    request,
                    gettext("%(id)s: not erased because of an error; nothing was changed.")
                    % {"id": person.pk},
                    messages.ERROR,
                )
            else:
                erased += done is not None
        if erased:
            self.message_user(
                request,
                ngettext("%(count)d account erased.", "%(count)d accounts erased.", erased)
                % {"count": erased},
                messages.SUCCESS,
            )
        return None


class InstitutionEmailDomainInline(admin.TabularInline):
    model = InstitutionEmailDomain
    extra = 1


@admin.register(Institution)
class InstitutionAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "domain_list"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "short_name", "email_domains__domain"]
    inlines = [InstitutionEmailDomainInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("email_domains")

    @admin.display(description=_("email domains"))
    def domain_list(self, obj: Institution) -> str:
        return ", ".join(d.domain for d in obj.email_domains.all())


@admin.register(StudentProfile)
class StudentProfileAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["user", "institution", "programme", "level", "study_year"]
    list_filter = ["level", "institution"]
    search_fields = ["user__name", "user__email", "programme"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["themes"]


@admin.register(ResearcherProfile)
class ResearcherProfileAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["user", "institution", "position"]
    list_filter = ["position", "institution"]
    search_fields = ["user__name", "user__email", "expertise"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["themes"]


@admin.register(ErasureFailure)
class ErasureFailureAdmin(ReadOnlyForCoordinators, admin.ModelAdmin):
    """Accounts past their retention period that the retention job could not erase, and why:
    a refusal (the last coordinator, a place still under way) or an error.

    Read-only and for coordinators only: the job counts every failed try here and deletes
    the row once the account is erased or no longer due, so a row deleted by hand would
    only come back the next day.
    """

    list_display = ["account", "reason", "attempts", "first_failed_at", "last_failed_at"]
    fields = list_display
    readonly_fields = fields
    list_per_page = 50

    @admin.display(description=_("account"), ordering="user_id")
    def account(self, failure: ErasureFailure) -> str:
        # The number only: the row says why, the account's own page says who.
        url = reverse("admin:accounts_user_change", args=[failure.user_id])
        return format_html('<a href="{}">{}</a>', url, failure.user_id)


# SURFconext is configured by settings only (lerenmetdestad/settings.py) and tokens are never
# stored, so allauth's admin for apps and tokens would only offer a second, unchecked place
# for secrets. Linked accounts (allauth's SocialAccount admin) stay for superusers.
admin.site.unregister(SocialApp)
admin.site.unregister(SocialToken)
