"""The schedule in the Meet & Match admin: build it, publish and mail it, and links to the grid
and the page that changes it by hand. events/admin.py mixes this into its EventAdmin:

    class EventAdmin(EventScheduleAdminMixin, admin.ModelAdmin):
        actions = [..., *SCHEDULE_ACTIONS]
        readonly_fields = [..., "schedule_links"]   # and "schedule_links" in the fields

Actions are for coordinators only (permission "coordinate") and only call the services.
This module also registers a read-only FollowUp admin (no other module registers FollowUp).
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Event, FollowUp
from events.services.errors import EventError
from events.services.schedule import schedule_build, schedule_publish
from lerenmetdestad.admin_base import (
    BOTH_LOCATIONS,
    CHANGE_FORM_ACTION,
    PlatformAdmin,
    ReadOnlyForCoordinators,
)

SCHEDULE_ACTIONS = ("build_schedule", "publish_schedule")


class EventScheduleAdminMixin:
    """Schedule actions and links for the ModelAdmin of Event."""

    @admin.display(description=_("schedule"))
    def schedule_links(self, obj: Event):
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("events:schedule-grid", args=[obj.slug]),
            gettext("See the schedule (prints well)"),
            reverse("events:schedule-edit", args=[obj.slug]),
            gettext("Change it by hand"),
        )

    @admin.action(
        permissions=["coordinate"],
        description=_("Build the schedule"),
        location=BOTH_LOCATIONS,
    )
    def build_schedule(self, request, queryset):
        """Let the matching engine make a schedule; without one, say how to go on by hand."""
        for event in queryset.order_by("starts_at", "pk"):
            try:
                entry = schedule_build(event_id=event.pk, actor=request.user)
            except EventError as error:
                self.message_user(request, f"{event}: {error}", messages.ERROR)
                continue
            self.message_user(
                request,
                format_html(
                    '{}: <a href="{}">{}</a>',
                    event,
                    reverse("events:schedule-grid", args=[event.slug]),
                    gettext("schedule built with %(count)s meetings. Check it, then publish it.")
                    % {"count": entry.data["meetings"]},
                ),
            )

    @admin.action(
        permissions=["coordinate"],
        description=_("Publish the schedule and mail it"),
        location=BOTH_LOCATIONS,
    )
    def publish_schedule(self, request, queryset):
        """Ask first, showing how many people get a mail; then publish each event."""
        events = list(
            queryset.annotate(
                seated=Count(
                    "registrations", filter=Q(registrations__seats__isnull=False), distinct=True
                ),
                meeting_total=Count("meetings", distinct=True),
            ).order_by("starts_at", "pk")
        )
        if "apply" not in request.POST:
            label = gettext("Publish the schedule and mail it")
            return TemplateResponse(
                request,
                "events/schedule/admin_publish.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "action_label": label,
                    "action": "publish_schedule",
                    "action_field": CHANGE_FORM_ACTION
                    if CHANGE_FORM_ACTION in request.POST
                    else "action",
                    "events": events,
                    "opts": self.model._meta,
                },
            )
        for event in events:
            try:
                entry = schedule_publish(event_id=event.pk, actor=request.user)
            except EventError as error:
                self.message_user(request, f"{event}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(event)s: schedule published and mailed to %(count)s people.")
                    % {"event": event, "count": entry.data["people"]},
                )
        return None


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyForCoordinators, PlatformAdmin):
    """What came of the meetings, for coordinators: read-only, participants write these."""

    list_display = ["person", "event", "with_person", "planned_on", "challenge", "project"]
    list_filter = [("meeting__event", admin.RelatedOnlyFieldListFilter), "planned_on"]
    list_select_related = [
        "registration__person",
        "meeting__event",
        "with_person",
        "challenge",
        "project",
    ]
    search_fields = ["registration__person__name", "with_person__name", "note"]
    fields = [
        "registration",
        "meeting",
        "with_person",
        "planned_on",
        "note",
        "challenge",
        "project",
    ]
    readonly_fields = fields

    @admin.display(description=_("person"), ordering="registration__person__name")
    def person(self, obj: FollowUp) -> str:
        return obj.registration.person.name

    @admin.display(description=_("Meet & Match"), ordering="meeting__event__starts_at")
    def event(self, obj: FollowUp) -> str:
        return obj.meeting.event.title
