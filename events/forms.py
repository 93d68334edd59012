"""Forms for registering, checking in and the coordinators' event pages.

They check what a person can fix on the spot, in plain words; the services check the same
rules again under the event's lock, and the database's constraints back both.
"""

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.enums import Audience, RegistrationState
from events.models import Event, Registration
from events.selectors import visible_registrations
from events.services.lifecycle import EDITABLE_FIELDS, EDITABLE_STATES, event_problems
from events.services.registration import TEXT_MAX_LENGTH, roles_at_event_for
from partners.models import Theme


class RegistrantChoiceField(forms.ModelMultipleChoiceField):
    """Listed registrants, shown as "name (role): what they bring"."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        # Someone who left the list, cancelled or was never on it (a hand-made request).
        "invalid_choice": _(
            "Someone you chose is no longer on the list of this Meet & Match. Choose again."
        ),
        "invalid_pk_value": _(
            "Someone you chose is no longer on the list of this Meet & Match. Choose again."
        ),
    }

    def label_from_instance(self, obj: Registration) -> str:
        brings = Truncator(" ".join(obj.brings.split())).chars(90)
        return f"{obj.person.name} ({obj.get_role_at_event_display().lower()}): {brings}"


class RegistrationForm(forms.Form):
    role_at_event = forms.ChoiceField(
        label=_("You come as"),
        widget=forms.RadioSelect,
        help_text=_("Others see this next to your name."),
    )
    brings = forms.CharField(
        label=_("What you bring"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example your research, what you know, or a question from your work. "
            "Two or three sentences are enough."
        ),
    )
    seeks = forms.CharField(
        label=_("What you are looking for"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example a partner for your research, a place where students can help, "
            "or someone who knows the neighbourhood."
        ),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose what your work is about. We use this to find good matches."),
    )
    listed = forms.BooleanField(
        label=_("Others may see my name and choose me"),
        required=False,
        help_text=_(
            "Yes: other people who register see your name and what you bring, and can say "
            "they want to meet you. No: you are not on any list. Only the people at your "
            "table see your name and what you bring."
        ),
    )
    wants_to_meet = RegistrantChoiceField(
        label=_("People you want to meet"),
        queryset=Registration.objects.none(),
        required=False,
        help_text=_(
            "Only people who agreed to be on the list. We try to seat you with them. "
            "They do not see that you chose them."
        ),
    )
    rather_not_meet = RegistrantChoiceField(
        label=_("People you would rather not meet"),
        queryset=Registration.objects.none(),
        required=False,
        help_text=_("Nobody sees this. We try not to seat you with them."),
    )

    def __init__(self, *args, event: Event, person: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        roles = roles_at_event_for(person)
        self.fields["role_at_event"].choices = [(role.value, role.label) for role in roles]
        if len(roles) == 1:
            self.fields["role_at_event"].initial = roles[0].value
        # The only people one may choose: listed registrants of this event, never oneself.
        choosable = visible_registrations(event).exclude(person=person)
        self.fields["wants_to_meet"].queryset = choosable
        self.fields["rather_not_meet"].queryset = choosable

    def clean(self):
        cleaned = super().clean()
        wants = set(cleaned.get("wants_to_meet") or ())
        avoids = set(cleaned.get("rather_not_meet") or ())
        if wants & avoids:
            self.add_error(
                "rather_not_meet",
                gettext("You chose the same person to meet and not to meet. Choose one."),
            )
        return cleaned


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=12,
        help_text=_("The code in the confirmation mail, for example 3FA9C1."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


# --- Coordinators ----------------------------------------------------------------------------


class EventAdminForm(forms.ModelForm):
    """An event's details: changeable until it is held or cancelled."""

    audience = forms.MultipleChoiceField(
        label=_("who may register"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "description",
            "themes",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
            "capacity",
            "registration_deadline",
            "audience",
            "rounds",
            "minutes_per_round",
            "tables",
            "seats_per_table",
            "first_round_at",
        ]

    def clean(self):
        cleaned = super().clean()
        changed = set(self.changed_data) & (EDITABLE_FIELDS | {"themes"})
        if self.instance.pk and changed and self.instance.state not in EDITABLE_STATES:
            raise forms.ValidationError(
                gettext("A Meet & Match that is %(state)s can no longer change.")
                % {"state": self.instance.get_state_display().lower()}
            )
        problems = event_problems(
            starts_at=cleaned.get("starts_at"),
            ends_at=cleaned.get("ends_at"),
            registration_deadline=cleaned.get("registration_deadline"),
            audience=cleaned.get("audience"),
            first_round_at=cleaned.get("first_round_at"),
        )
        for name, problem in problems.items():
            if name not in self.errors:
                self.add_error(name, problem)
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None and "capacity" in changed:
            registered = self.instance.registrations.filter(
                state=RegistrationState.REGISTERED
            ).count()
            if capacity < registered:
                self.add_error(
                    "capacity",
                    gettext(
                        "%(count)d people are already registered: keep at least as many "
                        "places, or ask some to cancel first."
                    )
                    % {"count": registered},
                )
        return cleaned


class EventActionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the people registered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Required when you cancel. Everyone registered or waiting reads it."),
    )
