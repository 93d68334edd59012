"""Coordinating Meet & Match events: details, state, registrations, check-in and the export.

State changes only go through the actions, which call event_transition; the state field is
read-only everywhere. Saving an event goes through event_create / event_update, which raise
`sequence` and mail people when the time or place changes. Registrations are read-only
(people register and cancel on the site); coordinators can only check people in.
Actions are for coordinators only: is_staff and the coordinator role.
"""

import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from events.admin_redaction import EventLogEntryAdmin  # noqa: F401 (registers itself)
from events.admin_schedule import SCHEDULE_ACTIONS, EventScheduleAdminMixin
from events.enums import EventState
from events.forms import EventActionForm, EventAdminForm
from events.models import Event, EventLogEntry, Registration
from events.selectors import registrations_for_export, with_places
from events.services.errors import EventError
from events.services.lifecycle import (
    EDITABLE_FIELDS,
    EDITABLE_STATES,
    EventAction,
    event_create,
    event_transition,
    event_update,
)
from events.services.registration import check_in
from lerenmetdestad.admin_base import (
    BOTH_LOCATIONS,
    CHANGE_FORM_ACTION,
    CoordinatorsOnly,
    PlatformAdmin,
    ReadOnlyInline,
    WithoutBulkDelete,
    transition_action,
)


class RegistrationInline(ReadOnlyInline):
    model = Registration
    fields = [
        "person",
        "role_at_event",
        "state",
        "listed",
        "queued_at",
        "check_in_code",
        "checked_in_at",
    ]
    show_change_link = True
    ordering = ["state", "queued_at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "event")


class EventLogInline(ReadOnlyInline):
    model = EventLogEntry
    fields = ["created_at", "actor", "action", "from_state", "to_state", "message", "data"]
    # A line's own page has the "Redact text" action (events/admin_redaction.py).
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "event")


class EventAdmin(CoordinatorsOnly, PlatformAdmin):
    """The events part of the event admin; EventWithScheduleAdmin below adds the schedule."""

    form = EventAdminForm
    list_display = ["title", "starts_at", "state", "places", "waiting", "registration_deadline"]
    list_filter = ["state", ("starts_at", admin.DateFieldListFilter), "themes"]
    search_fields = ["title", "venue"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at", "pk"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "state",
        "sequence",
        "schedule_published_at",
        "created_at",
        "pages",
    ]
    inlines = [RegistrationInline, EventLogInline]
    actions = [
        transition_action(EventAction.PUBLISH, _("Publish"), model="events"),
        transition_action(EventAction.CLOSE_REGISTRATION, _("Close registration"), model="events"),
        transition_action(EventAction.HOLD, _("Mark as held"), model="events"),
        transition_action(EventAction.CLOSE, _("Close"), model="events"),
        transition_action(EventAction.CANCEL, _("Cancel"), model="events", confirm=True),
        "export_registrations",
    ]

    def get_queryset(self, request):
        return with_places(super().get_queryset(request))

    def get_fields(self, request, obj=None):
        fields = list(EventAdminForm.Meta.fields)
        if obj is None:
            return fields
        return [
            *fields,
            "state",
            "sequence",
            "schedule_published_at",
            "created_at",
            "pages",
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        if obj is not None:
            readonly.append("slug")
            if obj.state not in EDITABLE_STATES:
                readonly += sorted(EDITABLE_FIELDS | {"themes"})
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def may_delete(self, obj: Event) -> bool:
        # Deleting would take people's registrations with it; only drafts go.
        return obj.state == EventState.DRAFT

    def save_model(self, request, obj, form, change):
        themes = list(form.cleaned_data["themes"]) if "themes" in form.cleaned_data else None
        try:
            if not change:
                event_create(event=obj, actor=request.user, themes=themes)
                return
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in EDITABLE_FIELDS
            }
            event_update(event_id=obj.pk, actor=request.user, changes=changes, themes=themes)
        except EventError as error:
            # The form checks the same rules first; this is for a change made meanwhile.
            self.message_user(request, str(error), messages.ERROR)

    def save_related(self, request, form, formsets, change):
        # The themes were saved by the service in save_model; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("places"), ordering="registered_total")
    def places(self, obj: Event) -> str:
        return f"{obj.registered_total} / {obj.capacity}"

    @admin.display(description=_("waiting list"), ordering="waiting_total")
    def waiting(self, obj: Event) -> int:
        return obj.waiting_total

    @admin.display(description=_("pages"))
    def pages(self, obj: Event):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.get_absolute_url(),
            gettext("Public page"),
            reverse("events:check-in", args=[obj.slug]),
            gettext("Check-in list for the door"),
        )

    # --- Actions ----------------------------------------------------------------------------

    def transition(self, request, queryset, action: EventAction, label, *, confirm: bool):
        events = list(queryset.order_by("starts_at", "pk"))
        action_field = CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action"
        if confirm and "apply" not in request.POST:
            return TemplateResponse(
                request,
                "events/admin/transition.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "action": f"{action}_events",
                    "action_field": action_field,
                    "action_label": label,
                    "needs_message": action == EventAction.CANCEL,
                    "events": events,
                    "form": EventActionForm(),
                    "opts": self.model._meta,
                },
            )
        form = EventActionForm(request.POST)
        form.is_valid()
        done = 0
        for event in events:
            try:
                event_transition(
                    event_id=event.pk,
                    action=action,
                    actor=request.user,
                    message=form.cleaned_data.get("message", ""),
                )
            except EventError as error:
                self.message_user(request, f"{event}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(label)s: %(count)d Meet & Match done.",
                    "%(label)s: %(count)d Meet & Match events done.",
                    done,
                )
                % {"label": label, "count": done},
            )
        return None

    @admin.action(
        permissions=["coordinate"],
        description=_("Export the registrations as CSV"),
        location=BOTH_LOCATIONS,
    )
    def export_registrations(self, request, queryset):
        events = list(queryset.order_by("starts_at", "pk"))
        name = events[0].slug if len(events) == 1 else "meet-and-match"
        return registrations_csv(
            registrations_for_export([event.pk for event in events]),
            filename=f"registrations-{slugify(name)}-{timezone.localdate():%Y%m%d}.csv",
        )


@admin.register(Event)
class EventWithScheduleAdmin(EventScheduleAdminMixin, EventAdmin):
    """The admin of events as coordinators use it: EventAdmin with the schedule part's actions
    (build, publish and mail the schedule) and links (events/admin_schedule.py)."""

    actions = [*EventAdmin.actions, *SCHEDULE_ACTIONS]
    readonly_fields = [*EventAdmin.readonly_fields, "schedule_links"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is None else [*fields, "schedule_links"]


def registrations_csv(registrations, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte order mark, so spreadsheet programs read the names' accents as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            gettext("Meet & Match"),
            gettext("Name"),
            gettext("Email"),
            gettext("Comes as"),
            gettext("Brings"),
            gettext("Looking for"),
            gettext("State"),
            gettext("On the list"),
            gettext("Checked in"),
        ]
    )
    for registration in registrations:
        writer.writerow(
            safe_cells(
                [
                    registration.event.title,
                    registration.person.name,
                    registration.person.email,
                    registration.get_role_at_event_display(),
                    registration.brings,
                    registration.seeks,
                    registration.get_state_display(),
                    gettext("yes") if registration.listed else gettext("no"),
                    timezone.localtime(registration.checked_in_at).strftime("%Y-%m-%d %H:%M")
                    if registration.checked_in_at
                    else "",
                ]
            )
        )
    return response


def safe_cells(cells: list) -> list:
    """Names and texts are typed by people: a cell starting with = + - @ (or a tab or carriage
    return) would run as a formula in a spreadsheet, so it gets a leading apostrophe
    (OWASP's advice for CSV files)."""
    return [
        f"'{cell}"
        if isinstance(cell, str) and cell[:1] in {"=", "+", "-", "@", "\t", "\r"}
        else cell
        for cell in cells
    ]


@admin.register(Registration)
class RegistrationAdmin(WithoutBulkDelete, PlatformAdmin):
    """People at events, to check them in and export them. Registering, cancelling and the
    waiting list follow the rules on the site, so everything else is read-only."""

    list_display = [
        "person",
        "event",
        "role_at_event",
        "state",
        "listed",
        "queued_at",
        "check_in_code",
        "checked_in_at",
    ]
    list_filter = [
        "state",
        "listed",
        "role_at_event",
        ("checked_in_at", admin.EmptyFieldListFilter),
        "event",
    ]
    list_select_related = ["person", "event"]
    search_fields = ["person__name", "person__email", "event__title", "check_in_code"]
    actions = ["check_in_registrations"]
    readonly_fields = [
        "event",
        "person",
        "role_at_event",
        "brings",
        "seeks",
        "themes",
        "listed",
        "wants_to_meet",
        "rather_not_meet",
        "state",
        "queued_at",
        "check_in_code",
        "checked_in_at",
        "created_at",
        "state_changed_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_change_permission(request, obj)

    def has_coordinate_permission(self, request) -> bool:
        return is_coordinator(request.user) and self.has_view_permission(request)

    @admin.action(permissions=["coordinate"], description=_("Check in"))
    def check_in_registrations(self, request, queryset):
        done = 0
        for registration in queryset.select_related("person").order_by("person__name", "pk"):
            try:
                check_in(
                    event_id=registration.event_id,
                    actor=request.user,
                    registration_id=registration.pk,
                )
            except EventError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d person checked in.", "%(count)d people checked in.", done)
                % {"count": done},
            )
