"""The "Export as CSV" and "Export as Excel" actions in the other apps' admins.

No other app imports coordination, so the admins cannot name these actions themselves.
CoordinationConfig.ready() calls add_export_actions(), which registers each exported model
again with a subclass of its own ModelAdmin that adds the two actions. A subclass rather
than editing the registered instance, so the permission the actions need is an ordinary
method: only coordinators see and run them, whatever else the admin allows. Without the
coordination app the admins work as before, just without these actions.
"""

from django.contrib import admin, messages
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from coordination.exports.base import ExportFilters
from coordination.exports.downloads import export_download
from coordination.exports.services import ExportError
from events.models import Registration
from partners.models import Challenge
from projects.models import Cohort, HoursEntry, Project

# Each exported model, its export, and any older action of its admin that the two replace.
ADMIN_EXPORTS: list[tuple[type[Model], str, tuple[str, ...]]] = [
    (Challenge, "vraagstukken", ()),
    (Project, "projecten", ()),
    # The roster action stays: it is the roster of a few groups, the new one a whole table.
    (Cohort, "groepen", ()),
    (Registration, "aanmeldingen", ()),
    (HoursEntry, "uren", ()),
]


def _export_action(file_format: str, label):
    def run(modeladmin, request, queryset):
        ids = frozenset(queryset.values_list("pk", flat=True))
        try:
            return export_download(
                modeladmin.export_kind,
                file_format=file_format,
                actor=request.user,
                filters=ExportFilters(ids=ids),
            )
        except ExportError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
            return None

    run.__name__ = f"export_{file_format}"
    return admin.action(run, permissions=["export"], description=label)


EXPORT_ACTIONS = [
    _export_action("csv", _("Export as CSV")),
    _export_action("xlsx", _("Export as Excel")),
]


class ExportActions:
    """Adds the export actions to a ModelAdmin; export_kind names the export."""

    export_kind: str

    def has_export_permission(self, request) -> bool:
        return is_coordinator(request.user) and self.has_view_permission(request)


def add_export_actions(site: admin.AdminSite = admin.site) -> None:
    """Give each exported model's admin the export actions. Safe to call twice."""
    for model, kind, replaced in ADMIN_EXPORTS:
        base = type(site.get_model_admin(model))
        if issubclass(base, ExportActions):
            continue
        actions = [action for action in base.actions if action not in replaced]
        admin_class = type(
            base.__name__,
            (ExportActions, base),
            {
                "__module__": base.__module__,
                "__doc__": base.__doc__,
                "export_kind": kind,
                "actions": [*actions, *EXPORT_ACTIONS],
            },
        )
        site.unregister(model)
        site.register(model, admin_class)
