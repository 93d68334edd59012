"""The form on which a project's lecturers and partner rank its applicants.

One optional number per applicant. Only the order counts, so gaps are fine (1, 2, 5 is read as
1, 2, 3); an empty box leaves the student unranked. The service checks again under a lock that
every student still applies and that the actor may rank.
"""

from collections import defaultdict

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.services.ranking import Applicant

# Far above any real number of applicants; it only keeps absurd input out.
MAX_RANK = 9999


class ApplicantRankingForm(forms.Form):
    def __init__(self, *args, applicants: list[Applicant], **kwargs):
        super().__init__(*args, **kwargs)
        self.applicants = applicants
        for applicant in applicants:
            self.fields[self.field_name(applicant)] = forms.IntegerField(
                label=_("Rank for %(name)s") % {"name": applicant.name},
                required=False,
                min_value=1,
                max_value=MAX_RANK,
                initial=applicant.rank,
                error_messages={
                    "invalid": gettext_lazy("Use a whole number, such as 1 or 2."),
                    "min_value": gettext_lazy("Use 1 or higher: 1 is the student you take first."),
                    "max_value": gettext_lazy("Use a number below 10000."),
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
            )

    @staticmethod
    def field_name(applicant: Applicant) -> str:
        return f"rank-{applicant.student_id}"

    def rows(self) -> list[tuple[Applicant, BoundField]]:
        return [(applicant, self[self.field_name(applicant)]) for applicant in self.applicants]

    def clean(self):
        cleaned = super().clean()
        holders: dict[int, list[str]] = defaultdict(list)
        for applicant in self.applicants:
            name = self.field_name(applicant)
            if cleaned.get(name) is not None:
                holders[cleaned[name]].append(name)
        for rank, names in holders.items():
            if len(names) > 1:
                for name in names:
                    self.add_error(
                        name,
                        _("%(count)d students have number %(rank)d. Give each a different number.")
                        % {"count": len(names), "rank": rank},
                    )
        return cleaned

    def ranked_student_ids(self) -> list[int]:
        """Student ids in the order of the numbers typed; empty boxes are left out."""
        typed = [
            (self.cleaned_data[self.field_name(applicant)], applicant.student_id)
            for applicant in self.applicants
            if self.cleaned_data.get(self.field_name(applicant)) is not None
        ]
        return [student_id for _rank, student_id in sorted(typed)]
