from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.enums import SIGNUP_ROLES, InstitutionKind, Language, Position, Weekday
from accounts.models import Institution
from accounts.services import profile_ensure
from partners.models import Theme


class SignupExtraForm(forms.Form):
    """What allauth's sign-up form asks besides email and password."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        help_text=_("Your first and last name, as others on the platform will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    role = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[(role.value, role.label) for role in SIGNUP_ROLES],
        widget=forms.RadioSelect,
        help_text=_("This decides what you can do here. Coordinators are added by the team."),
    )

    def signup(self, request, user) -> None:
        # allauth calls this after the user row exists; the profile follows the role.
        profile_ensure(user=user)


class NameForm(forms.Form):
    """Your name, and whether public pages may show it."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    name_public = forms.BooleanField(
        label=_("Show my name on public pages"),
        required=False,
        help_text=_(
            "Then anyone, also without an account, sees your name on the public page of each "
            "project where you are a lecturer. No other public page shows your name. If this is "
            "off, those pages leave your name out. You can turn it off at any time."
        ),
    )


class StudentProfileForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("School or university"),
        queryset=Institution.objects.all(),
        help_text=_(
            "Where you study. We guessed this from your email address; change it if it is wrong."
        ),
    )
    programme = forms.CharField(
        label=_("Programme"), max_length=150, help_text=_("For example Social Work or Psychology.")
    )
    level = forms.ChoiceField(label=_("Level of education"), choices=InstitutionKind.choices)
    study_year = forms.IntegerField(label=_("Study year"), min_value=1, max_value=8, required=False)
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes you care about"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you can work in"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days you are available"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ResearcherProfileForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.all(), required=False
    )
    position = forms.ChoiceField(label=_("You are a"), choices=Position.choices)
    expertise = forms.CharField(
        label=_("Expertise"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("What you know about and work on, in a few lines."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[])
    next = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
