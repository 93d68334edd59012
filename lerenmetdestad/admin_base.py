"""Admin building blocks shared by the apps.

Every ModelAdmin and inline is built on `PlatformPermissions`: nobody sees or changes
anything unless they may manage the platform (`may_manage`) and hold the model permission
as well. A staff account with another role sees nothing at all, whatever groups or model
permissions it was given; tests/security/test_admin_registry.py fails for an admin that is
not built on it.
"""

from django.contrib import admin
from django.contrib.admin import ActionLocation

from accounts.rules import is_coordinator

# Coordinators run state changes from the list and from an object's own page.
BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# The name of the action field when an action is run from an object's own page.
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"


def may_manage(user) -> bool:
    """Who may enter /beheer/: active coordinators, and superusers, who grant the rights.

    is_staff alone is not enough: it is a flag anyone with the right to edit accounts could
    once set by mistake, and the role is what says someone runs the platform.
    """
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.is_coordinator)
    )


class PlatformPermissions:
    """The one permission base: deny unless the person may manage the platform, and then
    only what their model permissions allow (a superuser holds them all)."""

    def has_module_permission(self, request) -> bool:
        return may_manage(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_manage(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return may_manage(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return may_manage(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return may_manage(request.user) and super().has_delete_permission(request, obj)


class PlatformAdmin(PlatformPermissions, admin.ModelAdmin):
    """The base of every ModelAdmin of the platform."""


class PlatformInline(PlatformPermissions, admin.TabularInline):
    """The base of every inline of the platform."""


class SuperusersOnly(PlatformPermissions):
    """Rights, addresses and linked logins: whoever changes these can take over an account,
    so only superusers see them, even when a coordinator's group were to hold the permission."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class ReadOnlyInline(PlatformInline):
    """A list of related rows shown on a change page that nobody edits there.

    History and people's own registrations change only through services, so the admin
    shows them and links to them but offers no add, change or delete.
    """

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class WithoutBulkDelete:
    """Rows with people's history are cancelled through their state, never bulk-deleted."""

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions


class CoordinatorActions:
    """Admin actions declared with permissions=["coordinate"] are for coordinators only."""

    def has_coordinate_permission(self, request) -> bool:
        return is_coordinator(request.user) and self.has_change_permission(request)


class CoordinatorsOnly(WithoutBulkDelete, CoordinatorActions):
    """Only coordinators add, change or delete; `may_delete` says which rows can go at all."""

    def may_delete(self, obj) -> bool:
        return True

    def has_add_permission(self, request) -> bool:
        return is_coordinator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not self.may_delete(obj):
            return False
        return is_coordinator(request.user) and super().has_delete_permission(request, obj)


def transition_action(action, label, *, model: str, confirm: bool = False):
    """An admin action named "<action>_<model>" that calls the ModelAdmin's transition()."""

    def run(modeladmin, request, queryset):
        return modeladmin.transition(request, queryset, action, label, confirm=confirm)

    run.__name__ = f"{action}_{model}"
    return admin.action(run, permissions=["coordinate"], description=label, location=BOTH_LOCATIONS)


class ReadOnlyForCoordinators(WithoutBulkDelete):
    """Coordinators look; nobody adds, changes or deletes here."""

    def get_readonly_fields(self, request, obj=None):
        # The fields the admin names, or else every field of the model.
        return self.readonly_fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
