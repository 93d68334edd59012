"""Coordinating handover dossiers. projects/admin.py imports this.

The team writes a dossier on the site, so its text is read-only here; coordinators approve it
or ask for changes through the actions, which call dossier_decide (approval completes a group
that is handing over). Versions and products are shown, never edited.
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lerenmetdestad.admin_base import (
    BOTH_LOCATIONS,
    CHANGE_FORM_ACTION,
    CoordinatorsOnly,
    PlatformAdmin,
    ReadOnlyInline,
)
from projects.models import HandoverDossier, HandoverDossierVersion, HandoverProduct
from projects.services.handover import CONTENT_FIELDS, HandoverError, dossier_decide


class DecisionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the team"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when you ask for changes: say what should change."),
    )


class VersionInline(ReadOnlyInline):
    model = HandoverDossierVersion
    fields = ["number", "saved_at", "saved_by", "content"]
    ordering = ["-number"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("saved_by")


class ProductInline(ReadOnlyInline):
    model = HandoverProduct
    fields = ["title", "target", "public", "added_by", "added_at"]
    readonly_fields = ["target"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("added_by", "dossier")

    @admin.display(description=_("link or file"))
    def target(self, obj: HandoverProduct):
        if obj.url:
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, obj.url)
        # Through the download view: files are never served from MEDIA_ROOT directly.
        url = reverse("projects:handover_product_file", args=[obj.dossier.cohort_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))


@admin.register(HandoverDossier)
class HandoverDossierAdmin(CoordinatorsOnly, PlatformAdmin):
    list_display = ["cohort", "state", "version", "updated_at", "submitted_at", "decided_at"]
    list_filter = ["state", "cohort__state"]
    list_select_related = ["cohort__project"]
    search_fields = ["cohort__project__title"]
    date_hierarchy = "updated_at"
    ordering = ["-updated_at"]
    fields = [
        "cohort",
        "state",
        "version",
        *CONTENT_FIELDS,
        "updated_at",
        "updated_by",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_note",
        "site_link",
    ]
    readonly_fields = fields
    inlines = [VersionInline, ProductInline]
    actions = ["approve_dossiers", "ask_changes_dossiers"]

    def has_add_permission(self, request) -> bool:
        # A dossier is made by its team, on the group's handover page.
        return False

    def may_delete(self, obj: HandoverDossier) -> bool:
        # What a group handed over is the project's memory.
        return False

    @admin.display(description=_("on the site"))
    def site_link(self, obj: HandoverDossier):
        url = reverse("projects:handover", args=[obj.cohort_id])
        return format_html('<a href="{}">{}</a>', url, gettext("Open the handover page"))

    @admin.action(permissions=["coordinate"], description=_("Approve"), location=BOTH_LOCATIONS)
    def approve_dossiers(self, request, queryset):
        return self._decide(request, queryset, approve=True, label=gettext("Approve"))

    @admin.action(
        permissions=["coordinate"], description=_("Ask for changes"), location=BOTH_LOCATIONS
    )
    def ask_changes_dossiers(self, request, queryset):
        return self._decide(request, queryset, approve=False, label=gettext("Ask for changes"))

    def _decide(self, request, queryset, *, approve: bool, label: str):
        dossiers = list(queryset.select_related("cohort__project").order_by("pk"))
        action_field = CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action"
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "projects/handover/admin_decide.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "action": "approve_dossiers" if approve else "ask_changes_dossiers",
                    "action_field": action_field,
                    "action_label": label,
                    "dossiers": dossiers,
                    "form": DecisionNoteForm(),
                    "opts": self.model._meta,
                },
            )
        form = DecisionNoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        done = 0
        for dossier in dossiers:
            try:
                dossier_decide(
                    dossier_id=dossier.pk, actor=request.user, approve=approve, note=note
                )
            except HandoverError as error:
                self.message_user(request, f"{dossier}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(label)s: %(count)d handover done.",
                    "%(label)s: %(count)d handovers done.",
                    done,
                )
                % {"label": label, "count": done},
            )
        return None
