"""The coordinators' review queue for challenges, and the conversations and history, where
coordinators redact words that name someone when asked."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import (
    PlatformAdmin,
    ReadOnlyForCoordinators,
    ReadOnlyInline,
)
from lerenmetdestad.admin_redaction import RedactText
from partners.enums import ChallengeAction, ChallengeState
from partners.load import challenge_budget_check
from partners.models import Challenge, ChallengeLogEntry, ChallengeMessage, Theme
from partners.services.challenge_workflow import challenge_transition
from partners.services.errors import BudgetExceededError, ChallengeError
from partners.services.redaction import challenge_log_redact, challenge_messages_redact


class WaitingFilter(admin.SimpleListFilter):
    title = _("waiting since last change")
    parameter_name = "waiting"
    BANDS = {"week": (0, 7), "month": (7, 30), "older": (30, None)}

    def lookups(self, request, model_admin):
        return [
            ("week", _("less than a week")),
            ("month", _("one week to a month")),
            ("older", _("more than a month")),
        ]

    def queryset(self, request, queryset):
        band = self.BANDS.get(self.value())
        if band is None:
            return queryset
        now = timezone.now()
        low, high = band
        queryset = queryset.filter(state_changed_at__lte=now - timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(state_changed_at__gt=now - timedelta(days=high))
        return queryset


class DecisionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when you decline or ask for more information."),
    )
    override_reason = forms.CharField(
        label=_("Reason to accept beyond a budget"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Only needed when accepting goes over the organisation's or neighbourhood's budget."
        ),
    )


class ChallengeMessageInline(ReadOnlyInline):
    model = ChallengeMessage
    fields = ["created_at", "author", "is_internal", "body"]
    # A message's own page has the "Redact text" action.
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ChallengeLogInline(ReadOnlyInline):
    model = ChallengeLogEntry
    fields = ["created_at", "actor", "action", "from_state", "to_state", "message"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


def _decision_action(action: ChallengeAction, label):
    def run(modeladmin, request, queryset):
        return modeladmin.decide(request, queryset, action, label)

    run.__name__ = f"{action}_challenges"
    run.short_description = label
    run.allowed_permissions = ("change",)
    return run


@admin.register(Challenge)
class ChallengeAdmin(PlatformAdmin):
    list_display = ["title", "organisation", "state", "theme_list", "waiting_days", "submitted_at"]
    list_filter = ["state", WaitingFilter, "themes", "neighbourhoods", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["title", "question", "organisation__name"]
    date_hierarchy = "submitted_at"
    ordering = ["state_changed_at"]
    readonly_fields = [
        "state",
        "version",
        "created_by",
        "created_at",
        "submitted_at",
        "state_changed_at",
        "decision_reason",
        "load_beside_decision",
    ]
    filter_horizontal = ["themes", "neighbourhoods"]
    inlines = [ChallengeMessageInline, ChallengeLogInline]
    actions = [
        _decision_action(ChallengeAction.TAKE_IN_REVIEW, _("Take in review")),
        _decision_action(ChallengeAction.ACCEPT, _("Accept")),
        _decision_action(ChallengeAction.ASK_INFO, _("Ask for more information")),
        _decision_action(ChallengeAction.DECLINE, _("Decline")),
        _decision_action(ChallengeAction.START, _("Mark as in progress")),
        _decision_action(ChallengeAction.CLOSE, _("Close")),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        )

    def has_change_permission(self, request, obj=None):
        return is_coordinator(request.user) and super().has_change_permission(request, obj)

    @admin.display(description=_("themes"))
    def theme_list(self, obj: Challenge) -> str:
        return ", ".join(theme.name for theme in obj.themes.all())

    @admin.display(description=_("days waiting"), ordering="state_changed_at")
    def waiting_days(self, obj: Challenge) -> int:
        return (timezone.now() - obj.state_changed_at).days

    @admin.display(description=_("load if accepted"))
    def load_beside_decision(self, obj: Challenge) -> str:
        return _load_lines(obj)

    def decide(self, request, queryset, action: ChallengeAction, label):
        challenges = list(
            queryset.select_related("organisation").prefetch_related("neighbourhoods")
        )
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/partners/challenge/decide.html",
                {
                    **self.admin_site.each_context(request),
                    "title": label,
                    "action": f"{action}_challenges",
                    "action_label": label,
                    "needs_message": action in (ChallengeAction.DECLINE, ChallengeAction.ASK_INFO),
                    "shows_budget": action == ChallengeAction.ACCEPT,
                    "rows": [(challenge, _load_lines(challenge)) for challenge in challenges],
                    "form": DecisionForm(),
                    "opts": self.model._meta,
                    "queryset": queryset,
                },
            )
        form = DecisionForm(request.POST)
        form.is_valid()
        done = 0
        for challenge in challenges:
            try:
                challenge_transition(
                    challenge_id=challenge.pk,
                    action=action,
                    actor=request.user,
                    message=form.cleaned_data.get("message", ""),
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            except BudgetExceededError as error:
                self.message_user(request, f"{challenge.title}: {error}", messages.WARNING)
            except ChallengeError as error:
                self.message_user(request, f"{challenge.title}: {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(label)s: %(count)d challenge(s) done.") % {"label": label, "count": done},
            )
        return None


@admin.register(ChallengeMessage)
class ChallengeMessageAdmin(RedactText, ReadOnlyForCoordinators, PlatformAdmin):
    """The conversations, to find and redact words that name someone; nobody edits here."""

    list_display = ["created_at", "challenge", "author", "is_internal", "body"]
    list_filter = ["is_internal"]
    list_select_related = ["challenge", "author"]
    search_fields = ["body", "challenge__title"]
    date_hierarchy = "created_at"
    readonly_fields = ["challenge", "author", "is_internal", "created_at", "body"]
    actions = ["redact_text"]
    redaction_field = "body"
    redaction_parent = "challenge"

    def redaction_apply(self, *, ids, words, reason, actor) -> int:
        return challenge_messages_redact(message_ids=ids, words=words, reason=reason, actor=actor)


@admin.register(ChallengeLogEntry)
class ChallengeLogEntryAdmin(RedactText, ReadOnlyForCoordinators, PlatformAdmin):
    """The challenges' history, to find and redact words that name someone in its notes."""

    list_display = ["created_at", "challenge", "actor", "action", "message"]
    list_filter = ["action"]
    list_select_related = ["challenge", "actor"]
    search_fields = ["message", "challenge__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "challenge",
        "actor",
        "action",
        "from_state",
        "to_state",
        "message",
        "data",
        "created_at",
    ]
    actions = ["redact_text"]
    redaction_field = "message"
    redaction_parent = "challenge"

    def redaction_apply(self, *, ids, words, reason, actor) -> int:
        return challenge_log_redact(entry_ids=ids, words=words, reason=reason, actor=actor)


def _load_lines(challenge: Challenge):
    if challenge.state not in (
        ChallengeState.SUBMITTED,
        ChallengeState.IN_REVIEW,
        ChallengeState.ACCEPTED,
    ):
        return "-"
    check = challenge_budget_check(challenge, today=timezone.localdate())
    organisation = check.organisation
    lines = [
        (
            _("Teams at %(name)s") % {"name": organisation.name},
            f"{organisation.after(check.team_delta)} / {organisation.budget}",
            _(" (over budget)") if organisation.exceeded_by(check.team_delta) else "",
        )
    ]
    lines += [
        (
            _("Resident contacts in %(name)s, %(month)s")
            % {"name": load.name, "month": month.strftime("%m-%Y")},
            f"{load.after(check.contact_delta)} / {load.budget}",
            _(" (over budget)") if load.exceeded_by(check.contact_delta) else "",
        )
        for month, load in check.neighbourhoods
    ]
    return format_html_join("", "<div>{}: {}{}</div>", lines)
