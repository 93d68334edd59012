"""The short form a coordinator fills in at Op Locatie with someone who brings a question."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Neighbourhood, Organisation, Theme
from partners.services.op_locatie import AskedBy


class OpLocatieQuestionForm(forms.Form):
    asked_by = forms.ChoiceField(
        label=_("Who brings the question?"),
        choices=[
            (AskedBy.RESIDENT, _("A resident")),
            (AskedBy.ORGANISATION, _("An organisation")),
        ],
        widget=forms.RadioSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("Which organisation?"),
        queryset=Organisation.objects.filter(is_verified=True).only("pk", "name"),
        required=False,
        empty_label=_("None: Leren met de Stad takes it on"),
        help_text=_("Leave this empty for a resident's question, or if the organisation is new."),
    )
    title = forms.CharField(
        label=_("The question in a few words"),
        max_length=120,
        help_text=_("For example: Meer ontmoeting in de Kooi."),
    )
    question = forms.CharField(
        label=_("What is the question?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Write it down as the person tells it, in short sentences. What do they run into? "
            "What would help?"
        ),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        empty_label=_("The whole city, or not known"),
    )
    resident_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    resident_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    resident_email = forms.EmailField(label=_("Email"), required=False)
    consent = forms.BooleanField(
        label=_(
            "The resident agrees that we keep these details until the question is finished. "
            "Then we delete them."
        ),
        required=False,
    )

    RESIDENT_FIELDS = ("resident_name", "resident_phone", "resident_email")

    def clean(self):
        data = super().clean()
        gave_details = any(data.get(name) for name in self.RESIDENT_FIELDS)
        if gave_details and data.get("asked_by") == AskedBy.ORGANISATION:
            self.add_error(
                "resident_name",
                _("Contact details are only for a resident's question. Leave them empty."),
            )
        elif gave_details and not data.get("consent"):
            self.add_error("consent", _("Ask the resident first, and tick this box if they agree."))
        return data
