"""The forms of the handover: the team's text, a product, and the partner's decision.

The services check everything again under the dossier's lock; these forms only say, field by
field, what is wrong with what was typed.
"""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.forms.challenges import AttachmentsField
from projects.forms.fields import text_area

PRIVACY = gettext_lazy(
    "Never write names, addresses, ages or other details by which a resident can be recognised."
)


def _help(text) -> str:
    return format_lazy("{} {}", text, PRIVACY)


def _text(label, *, max_length: int, rows: int, help_text) -> forms.CharField:
    return text_area(
        label, max_length=max_length, rows=rows, required=False, help_text=_help(help_text)
    )


class DossierForm(forms.Form):
    """The dossier's text, with the version it was loaded at.

    `base_version` is optional on purpose: a missing or mangled one is sent on as -1, which
    the service refuses as a conflict, so the person gets the current text to compare with.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary = _text(
        gettext_lazy("Summary"),
        max_length=5000,
        rows=4,
        help_text=gettext_lazy(
            "In a few sentences: what was the question, and what did you find out?"
        ),
    )
    work_done = _text(
        gettext_lazy("What we did"),
        max_length=10000,
        rows=8,
        help_text=gettext_lazy("Your activities, meetings and methods, week by week if it helps."),
    )
    results = _text(
        gettext_lazy("Results"),
        max_length=10000,
        rows=6,
        help_text=gettext_lazy(
            "What came out of it. Add reports, posters and links under Results and products."
        ),
    )
    contacts = _text(
        gettext_lazy("Contacts"),
        max_length=3000,
        rows=4,
        help_text=gettext_lazy(
            "Organisations and roles the next team can turn to, such as "
            "“the coordinator of the community centre”."
        ),
    )
    resident_voices = _text(
        gettext_lazy("What residents said"),
        max_length=5000,
        rows=5,
        help_text=gettext_lazy("What you heard from residents, in general terms."),
    )
    open_questions = _text(
        gettext_lazy("Open questions"),
        max_length=5000,
        rows=4,
        help_text=gettext_lazy("What you did not get to, and what the next team could find out."),
    )
    advice = _text(
        gettext_lazy("Advice for the next team"),
        max_length=5000,
        rows=4,
        help_text=gettext_lazy("What you would tell the students who take over from you."),
    )
    public_summary = _text(
        gettext_lazy("Public summary"),
        max_length=3000,
        rows=4,
        help_text=gettext_lazy(
            "Anyone can read this on the project page once the handover is approved: "
            "write it for people who do not know the project."
        ),
    )

    def base_version_or_unknown(self) -> int:
        value = self.cleaned_data.get("base_version")
        return -1 if value is None else value

    def content(self, names) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in names}


class ProductFileField(AttachmentsField):
    """One file, held to the same types, size and signature check as challenge attachments."""

    widget = forms.FileInput

    def clean(self, data, initial=None):
        files = super().clean(data, initial)
        return files[0] if files else None


class ProductForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=150,
        help_text=gettext_lazy(
            "For example: Report of the interviews, or Poster for the neighbourhood evening."
        ),
    )
    url = forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("A web address, for a product that lives online. Or add a file."),
    )
    file = ProductFileField(label=gettext_lazy("File"), required=False)
    public = forms.BooleanField(
        label=gettext_lazy("Anyone may see this: show it on the project page"),
        required=False,
        help_text=gettext_lazy("Leave this off for material that is only for the next team."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Word, Excel, PowerPoint, OpenDocument, images or text; at most %(limit)s. "
            "Take out names, photos and other details of residents first."
        ) % {"limit": filesizeformat(settings.CHALLENGE_ATTACHMENT_MAX_BYTES)}

    def clean(self):
        data = super().clean()
        has_url, has_file = bool(data.get("url")), data.get("file") is not None
        if "url" in self.errors or "file" in self.errors:
            return data
        if has_url and has_file:
            self.add_error("url", _("Add either a link or a file, not both."))
        elif not has_url and not has_file:
            self.add_error("url", _("Add a link, or choose a file."))
        return data


class DecisionForm(forms.Form):
    """The partner's, lecturer's or coordinator's word; the buttons carry the decision."""

    APPROVE, CHANGES = "approve", "changes"

    decision = forms.ChoiceField(
        choices=[(APPROVE, gettext_lazy("Approve")), (CHANGES, gettext_lazy("Ask for changes"))],
        widget=forms.HiddenInput,
    )
    note = _text(
        gettext_lazy("Note to the team"),
        max_length=3000,
        rows=5,
        help_text=gettext_lazy(
            "Required when you ask for changes: say what should change. The students read it."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.CHANGES and not data.get("note", "").strip():
            self.add_error("note", _("Say what the team should change."))
        return data

    @property
    def approves(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE
