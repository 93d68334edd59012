"""Admin building blocks shared by the apps."""

from django.contrib import admin
from django.contrib.admin import ActionLocation

from accounts.rules import is_coordinator

# Coordinators run state changes from the list and from an object's own page.
BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# The name of the action field when an action is run from an object's own page.
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"


class ReadOnlyInline(admin.TabularInline):
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


class CoordinatorPermissions:
    """Only coordinators see, add, change or delete, whatever model permissions a staff
    account holds: the role decides, not a group someone was put in by mistake."""

    def has_view_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args) -> bool:
        return is_coordinator(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_delete_permission(request, obj)


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

    def has_view_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
