from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from partners.attachment_types import ATTACHMENT_TYPES, attachment_type
from partners.enums import CslLevel, ResidentInvolvement
from partners.models import Neighbourhood, Theme


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Zero or more files, each checked for type and size."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [self._clean_one(super(AttachmentsField, self).clean(f, initial)) for f in files]

    def _clean_one(self, upload):
        limit = settings.CHALLENGE_ATTACHMENT_MAX_BYTES
        suffix = PurePath(upload.name).suffix.lower()
        known = attachment_type(upload.name)
        if known is None:
            allowed = ", ".join(sorted(s.lstrip(".") for s in ATTACHMENT_TYPES))
            raise forms.ValidationError(
                _("%(name)s is not a file type we accept. Use one of: %(allowed)s.")
                % {"name": upload.name, "allowed": allowed}
            )
        if upload.size > limit:
            raise forms.ValidationError(
                _("%(name)s is too large (%(size)s). The limit is %(limit)s per file.")
                % {
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                }
            )
        signatures = known.signatures
        if signatures:
            head = upload.read(8)
            upload.seek(0)
            if not any(head.startswith(signature) for signature in signatures):
                raise forms.ValidationError(
                    _("%(name)s does not look like a real %(type)s file.")
                    % {"name": upload.name, "type": suffix.lstrip(".")}
                )
        return upload


class ChallengeForm(forms.Form):
    """What a partner writes about a challenge. Saving a draft asks only for a title;
    submitting asks for the rest (checked in the service, which also guards the database)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("A short name for your question, for example: Ouderen ontmoeten elkaar vaker."),
    )
    question = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What do you want to find out or change? Write it as a question, in short sentences."
        ),
    )
    background = forms.CharField(
        label=_("Background"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Why is this important? What have you tried already? "
            "Do not write names or other personal details of residents here."
        ),
    )
    target_group = forms.CharField(
        label=_("Who is it for?"),
        max_length=300,
        required=False,
        help_text=_("For example: older people living alone in De Kooi."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose one or more."),
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        label=_("Neighbourhoods"),
        queryset=Neighbourhood.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Where does it happen? Leave empty if it is for the whole city."),
    )
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=150, required=False,
        help_text=_("The person students can go to with questions."),
    )  # fmt: skip
    contact_email = forms.EmailField(label=_("Email of the contact person"), required=False)
    contact_phone = forms.CharField(
        label=_("Phone of the contact person"), max_length=30, required=False
    )
    place = forms.CharField(
        label=_("Where can students work?"), max_length=200, required=False,
        help_text=_("For example: at our office, or at Op Locatie in Leiden-Noord."),
    )  # fmt: skip
    hours_per_week = forms.IntegerField(
        label=_("Hours per week you can support students"),
        min_value=0,
        max_value=40,
        required=False,
    )
    desired_start = forms.DateField(
        label=_("Start from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    desired_end = forms.DateField(
        label=_("Finish by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    desired_level = forms.ChoiceField(
        label=_("How much work is it for students?"),
        choices=[("", _("No preference")), *CslLevel.choices],
        required=False,
        help_text=_("Low: a few hours a week. Intensive: a large part of the study week."),
    )
    resident_involvement = forms.ChoiceField(
        label=_("How much are residents involved?"), choices=ResidentInvolvement.choices
    )
    resident_contacts_per_month = forms.IntegerField(
        label=_("How many times a month will residents be asked to take part?"),
        min_value=0,
        max_value=500,
        initial=0,
        help_text=_(
            "Think of conversations, interviews or meetings. "
            "We use this so that residents are not asked too often."
        ),
    )
    is_societal = forms.BooleanField(
        label=_("The question serves society, not only our organisation."), required=False
    )
    is_non_commercial = forms.BooleanField(
        label=_("There is no commercial interest."), required=False
    )
    has_no_consultant_budget = forms.BooleanField(
        label=_("There is no budget to hire a paid consultant for this."), required=False
    )
    is_public = forms.BooleanField(
        label=_("This challenge may be shown on the public website once it is accepted."),
        required=False,
    )
    attachments = AttachmentsField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "PDF, Word, Excel, PowerPoint, OpenDocument, images or text; at most 10 MB per file."
        ),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("desired_start"), data.get("desired_end")
        if start and end and end < start:
            self.add_error("desired_end", _("The end date must be on or after the start date."))
        return data


class ChallengeMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Do not write names or other personal details of residents here."),
    )
    is_internal = forms.BooleanField(
        label=_("Internal note: only coordinators can see this"), required=False
    )
