from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    confirm_email = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        help_text=_("The address you sign in with. This cannot be undone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
