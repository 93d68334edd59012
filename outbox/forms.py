from django import forms
from django.utils.translation import gettext_lazy as _

from outbox.enums import OPTIONAL_KINDS


class MailPreferencesForm(forms.Form):
    receive = forms.MultipleChoiceField(
        label=_("Emails you want to get"),
        choices=[(kind.value, kind.label) for kind in OPTIONAL_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Untick the emails you do not want. You can change this at any time."),
    )
