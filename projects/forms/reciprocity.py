"""Forms for what each side gives back after a group: reflection, hours, partner feedback.

They check the shape of what was typed; the services check the rules (who, when, how much)
again, under a lock where it matters.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms.fields import text_area
from projects.services.feedback import FeedbackText
from projects.services.hours import DESCRIPTION_MAX_LENGTH, DISPUTE_NOTE_MAX_LENGTH
from projects.services.reflections import ReflectionText

TEXT_MAX_LENGTH = 5000


class ReflectionForm(forms.Form):
    learned = text_area(
        _("What did you learn?"),
        max_length=TEXT_MAX_LENGTH,
        rows=6,
        help_text=_("About the city, the people you worked with, and yourself."),
    )
    contribution = text_area(
        _("What did your work mean for the people you worked with?"),
        max_length=TEXT_MAX_LENGTH,
        rows=6,
    )
    next_time = text_area(
        _("What would you do differently?"), max_length=TEXT_MAX_LENGTH, rows=4, required=False
    )

    def text(self) -> ReflectionText:
        return ReflectionText(**self.cleaned_data)


class HoursField(forms.DecimalField):
    def to_python(self, value):
        # People in the Netherlands type a decimal comma; a browser's number field sends a point.
        if isinstance(value, str):
            value = value.replace(",", ".")
        return super().to_python(value)


class HoursEntryForm(forms.Form):
    worked_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, such as 2026-10-05.")},
    )
    hours = HoursField(
        label=_("Hours"),
        min_value=Decimal("0.1"),
        max_value=Decimal(24),
        max_digits=4,
        decimal_places=1,
        help_text=_("In hours and tenths: 1.5 is an hour and a half."),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Give the hours as a number, such as 2 or 1.5."),
            "min_value": _("Give more than 0 and at most 24 hours."),
            "max_value": _("Give more than 0 and at most 24 hours."),
            "max_decimal_places": _("Give the hours in tenths at most, such as 2 or 1.5."),
            "max_digits": _("Give more than 0 and at most 24 hours."),
        },
    )
    description = forms.CharField(
        label=_("What you did"),
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text=_("In a few words, for example: interviews with residents at Op Locatie."),
    )


class HoursDecisionForm(forms.Form):
    """Confirm, or dispute with a note. The page has one small form for each button; the
    note is asked for in the dispute form only, so it is required there."""

    CONFIRM, DISPUTE = "confirm", "dispute"

    decision = forms.ChoiceField(
        choices=[(CONFIRM, _("Confirm")), (DISPUTE, _("Dispute"))],
        widget=forms.HiddenInput,
    )
    note = text_area(
        _("Why do you dispute these hours?"),
        help_text=_("The student reads this."),
        max_length=DISPUTE_NOTE_MAX_LENGTH,
        rows=3,
        error_messages={
            "required": _("Say why you dispute these hours, so the student can correct them.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("decision") == self.CONFIRM:
            self.fields["note"].required = False

    @property
    def confirm(self) -> bool:
        return self.cleaned_data["decision"] == self.CONFIRM


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the group's work? (1 to 5)"),
        help_text=_("1 is not useful at all, 5 is very useful."),
        choices=[(number, str(number)) for number in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    went_well = text_area(_("What went well"), max_length=TEXT_MAX_LENGTH, rows=5)
    could_improve = text_area(
        _("What could be better"), max_length=TEXT_MAX_LENGTH, rows=5, required=False
    )

    def text(self) -> FeedbackText:
        return FeedbackText(**self.cleaned_data)
