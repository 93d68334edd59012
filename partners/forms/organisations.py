"""Forms for registering an organisation, asking to join one and inviting a colleague.

They check what was typed; the rules (unique name, already a member, one open invitation)
live in partners.services.organisations, whose errors the views put back on the form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.enums import MembershipRole, OrganisationKind
from partners.models import Neighbourhood
from partners.services.organisations import JOIN_MESSAGE_MAX_LENGTH


class OrganisationForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=150,
        help_text=_("The name people in Leiden know you by, for example Buurthuis De Kooi."),
        error_messages={"required": _("Please fill in the name of the organisation.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    kind = forms.ChoiceField(
        label=_("What kind of organisation is it?"),
        choices=[("", _("Choose one")), *OrganisationKind.choices],
        help_text=_("Choose the one that fits best."),
        error_messages={"required": _("Please choose what kind of organisation it is.")},
    )
    description = forms.CharField(
        label=_("What does the organisation do?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Two or three sentences are enough. Students read this first."),
        error_messages={"required": _("Please write in a few sentences what you do.")},
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        help_text=_("For example https://www.example.nl."),
        error_messages={
            "invalid": _("This website address is not correct. Write it like www.example.nl.")
        },
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("Street, number and postcode. Students go here to meet you."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods you work in"),
        queryset=Neighbourhood.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every neighbourhood where you work. Tick none if you work in all of Leiden."
        ),
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the administrators"),
        max_length=JOIN_MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say who you are and what you do there. This helps them decide."),
        error_messages={
            "max_length": _(
                "Your message is too long. Please keep it under %(limit_value)d characters."
            )
        },
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address of your colleague"),
        help_text=_(
            "We send the invitation to this address. Your colleague logs in or creates an "
            "account with the same address."
        ),
        error_messages={
            "required": _("Please fill in an email address."),
            "invalid": _("This is not a correct email address. Please check it for typing errors."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MembershipRole.choices,
        initial=MembershipRole.MEMBER,
        widget=forms.RadioSelect,
        help_text=_(
            "Members see the organisation and its challenges and can write challenges. "
            "Administrators can also invite people and decide who may join."
        ),
        error_messages={"required": _("Please choose a role.")},
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MembershipRole.choices,
        help_text=_("Administrators can invite people and decide who may join."),
    )
