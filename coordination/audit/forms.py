"""The filters of the audit page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.audit.selectors import KINDS


class AuditFilterForm(forms.Form):
    """Narrow the audit trail; every filter is optional. The names are the page's Dutch
    query parameters, so a link to one object's history reads
    /coordinatie/audit/?soort=groep&nummer=12."""

    soort = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything"))] + [(key, kind.label) for key, kind in KINDS.items()],
    )
    nummer = forms.IntegerField(
        label=_("Number"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The number of one challenge, group, enrolment, Meet & Match or registration."),
    )
    door = forms.CharField(
        label=_("Changed by"),
        required=False,
        max_length=150,
        help_text=_("Part of a name or e-mail address."),
    )

    def filters(self) -> dict | None:
        """The filters to apply, or None when what was typed does not validate."""
        if not self.is_bound:
            return {"kind": "", "object_id": None, "person": ""}
        if not self.is_valid():
            return None
        return {
            "kind": self.cleaned_data["soort"],
            "object_id": self.cleaned_data["nummer"],
            "person": self.cleaned_data["door"].strip(),
        }
