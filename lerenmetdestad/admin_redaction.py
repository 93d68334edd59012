"""The admin's "Redact text" action, for messages and log lines that name someone.

Erasing an account leaves what others wrote as they wrote it; when asked, a coordinator
removes the words that name the person from the messages they select. The action asks for
the words and a reason, shows each message before and after, and changes them only when
the coordinator confirms, through the app's service (partners, projects and events
`services/redaction.py`).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import BOTH_LOCATIONS, CHANGE_FORM_ACTION
from lerenmetdestad.redaction import (
    MIN_LENGTH,
    NO_REASON,
    REASON_MAX_LENGTH,
    TOO_SHORT,
    RedactionError,
    highlighted,
    redaction_check,
)


class RedactTextForm(forms.Form):
    words = forms.CharField(
        label=_("Words to remove"),
        min_length=MIN_LENGTH,
        max_length=200,
        help_text=_(
            "Exactly as they are written, at least two characters. Capitals do not matter; "
            "every other character counts as it is. Only whole words are taken: "
            "“Jan” leaves “Januari” alone."
        ),
        error_messages={"required": _("Give the words to remove."), "min_length": TOO_SHORT},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Who asked, and why. The log keeps it, so do not repeat the words."),
        error_messages={"required": NO_REASON},
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                redaction_check(words=cleaned["words"], reason=cleaned["reason"])
            except RedactionError as error:
                # With both fields valid on their own, what is left is about the reason.
                self.add_error("reason", str(error))
        return cleaned


class RedactText:
    """A "Redact text" action for a ModelAdmin of rows other people wrote.

    The admin names the text field (`redaction_field`), the row it belongs to
    (`redaction_parent`, shown on the preview; `redaction_related` is joined in to show it)
    and defines `redaction_apply(*, ids, words, reason, actor) -> int`, which calls the app's
    service. Only coordinators see the action, from the list and from a row's own page.
    """

    redaction_field: str
    redaction_parent: str
    redaction_related: tuple[str, ...] = ()
    redaction_apply: Callable[..., int]

    def has_coordinate_permission(self, request) -> bool:
        # The rows are read-only for everyone; coordinators who may look may redact.
        return is_coordinator(request.user) and self.has_view_permission(request)

    @admin.action(permissions=["coordinate"], description=_("Redact text"), location=BOTH_LOCATIONS)
    def redact_text(self, request, queryset):
        rows = list(queryset.select_related(self.redaction_parent, *self.redaction_related))
        if "words" not in request.POST:
            return self._redaction_page(request, rows, RedactTextForm())
        form = RedactTextForm(request.POST)
        if not form.is_valid():
            # Nothing changes: the form comes back with what is wrong.
            return self._redaction_page(request, rows, form)
        words, reason = form.cleaned_data["words"], form.cleaned_data["reason"]
        if "apply" not in request.POST:
            return self._redaction_page(request, rows, form, preview=True)
        try:
            count = self.redaction_apply(
                ids=[row.pk for row in rows], words=words, reason=reason, actor=request.user
            )
        except RedactionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        if count:
            self.message_user(
                request,
                ngettext(
                    "Text redacted in %(count)d message.",
                    "Text redacted in %(count)d messages.",
                    count,
                )
                % {"count": count},
            )
        else:
            self.message_user(
                request,
                gettext("The words were not in the selected messages; nothing changed."),
                messages.WARNING,
            )
        return None

    def _redaction_page(self, request, rows, form, *, preview: bool = False):
        changes, unchanged = [], []
        if preview:
            words = form.cleaned_data["words"]
            for row in rows:
                before, after = highlighted(getattr(row, self.redaction_field), words)
                if before == after:
                    unchanged.append(row)
                else:
                    changes.append((row, getattr(row, self.redaction_parent), before, after))
        label = gettext("Redact text")
        return TemplateResponse(
            request,
            "admin/redact_text.html",
            {
                **self.admin_site.each_context(request),
                "title": label,
                "action": "redact_text",
                "action_field": (
                    CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action"
                ),
                "action_label": label,
                "selected": rows,
                "form": form,
                "preview": preview,
                "changes": changes,
                "unchanged": unchanged,
                "opts": self.model._meta,
            },
        )
