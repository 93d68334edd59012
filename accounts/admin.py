from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.admin import SocialAccountAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
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
    PlatformAdmin,
    PlatformInline,
    PlatformPermissions,
    ReadOnlyForCoordinators,
    SuperusersOnly,
    WithoutBulkDelete,
)

# What gives an account power in the platform: only a superuser changes these, and nobody
# changes them on their own account through this form.
RIGHTS_FIELDS = ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(WithoutBulkDelete, PlatformPermissions, DjangoUserAdmin):
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser or (obj is not None and obj.pk == request.user.pk):
            fields += [name for name in RIGHTS_FIELDS if name not in fields]
        return fields

    @staticmethod
    def _out_of_reach(request, obj) -> bool:
        # A superuser's account is out of reach of anyone less: changing its address or
        # password would hand over every right it holds.
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._out_of_reach(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._out_of_reach(request, obj) and super().has_delete_permission(request, obj)

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
            if person.pk == request.user.pk or self._out_of_reach(request, person):
                # One's own account goes through /mijn/, a superuser's only by a superuser.
                self.message_user(
                    request,
                    gettext("%(id)s: you may not erase this account here.") % {"id": person.pk},
                    messages.ERROR,
                )
                continue
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


class InstitutionEmailDomainInline(PlatformInline):
    model = InstitutionEmailDomain
    extra = 1


@admin.register(Institution)
class InstitutionAdmin(PlatformAdmin):
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
class StudentProfileAdmin(PlatformAdmin):
    list_display = ["user", "institution", "programme", "level", "study_year"]
    list_filter = ["level", "institution"]
    search_fields = ["user__name", "user__email", "programme"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["themes"]


@admin.register(ResearcherProfile)
class ResearcherProfileAdmin(PlatformAdmin):
    list_display = ["user", "institution", "position"]
    list_filter = ["position", "institution"]
    search_fields = ["user__name", "user__email", "expertise"]
    list_select_related = ["user", "institution"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["themes"]


@admin.register(ErasureFailure)
class ErasureFailureAdmin(ReadOnlyForCoordinators, PlatformAdmin):
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


def _superusers_only(model, model_admin) -> None:
    """Register a library's admin again on the platform's permission base, for superusers."""
    admin.site.unregister(model)
    admin.site.register(model, type(model_admin.__name__, (SuperusersOnly, model_admin), {}))


# Groups grant rights; addresses and linked logins decide who signs in as whom.
_superusers_only(Group, GroupAdmin)
_superusers_only(EmailAddress, EmailAddressAdmin)
_superusers_only(SocialAccount, SocialAccountAdmin)
# Someone's second step: whoever could remove it could sign in with the password alone.
_superusers_only(Authenticator, AuthenticatorAdmin)
