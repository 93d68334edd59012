"""Forms for the coordinators' project and cohort pages.

They check what a coordinator can fix on the spot, in words they understand; the services
check the same rules again under a lock, and the database's constraints back both.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.enums import InstitutionKind, Weekday
from partners.models import Challenge
from projects.enums import CohortState, EnrolmentState
from projects.models import Cohort, Project
from projects.services.cohorts import (
    EDITABLE_FIELDS,
    EDITABLE_STATES,
    PLANNED_ONLY_FIELDS,
    cohort_schedule_problems,
)
from projects.services.projects import PROJECT_FIELDS, SOURCE_STATES


class ProjectAdminForm(forms.ModelForm):
    institution_kinds = forms.MultipleChoiceField(
        label=_("for students of"),
        choices=InstitutionKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("days"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Project
        fields = ["challenge", *PROJECT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        challenge = self.fields.get("challenge")
        if challenge is not None:
            challenge.queryset = (
                Challenge.objects.filter(state__in=SOURCE_STATES)
                .select_related("organisation")
                .order_by("title")
            )
            challenge.help_text = _(
                "Only accepted challenges (and those already in progress) can become a project. "
                "Open this page from the list above, or add ?challenge=<number> to its address, "
                "to fill in the form from the challenge."
            )


class CohortAdminForm(forms.ModelForm):
    """A cohort's dates and sizes: changeable while it is planned or open."""

    class Meta:
        model = Cohort
        fields = [
            "project",
            "number",
            "period",
            "starts_on",
            "ends_on",
            "registration_opens_at",
            "registration_closes_at",
            "min_size",
            "max_size",
            "admission_mode",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "number" in self.fields:
            self.fields["number"].required = False
            self.fields["number"].help_text = _("Leave empty for the project's next number.")

    def clean(self):
        cleaned = super().clean()
        state = self.instance.state if self.instance.pk else CohortState.PLANNED
        changed = set(self.changed_data) & EDITABLE_FIELDS
        if self.instance.pk and changed and state not in EDITABLE_STATES:
            raise forms.ValidationError(
                gettext("Dates and sizes can only change while a group is planned or open.")
            )
        if self.instance.pk and state != CohortState.PLANNED:
            for name in changed & set(PLANNED_ONLY_FIELDS):
                self.add_error(name, gettext("This can only change while the group is planned."))
        problems = cohort_schedule_problems(
            starts_on=cleaned.get("starts_on"),
            ends_on=cleaned.get("ends_on"),
            registration_opens_at=cleaned.get("registration_opens_at"),
            registration_closes_at=cleaned.get("registration_closes_at"),
            min_size=cleaned.get("min_size"),
            max_size=cleaned.get("max_size"),
        )
        for name, problem in problems.items():
            if name in self.fields:
                self.add_error(name, problem)
            else:
                self.add_error(None, problem)
        max_size = cleaned.get("max_size")
        if self.instance.pk and max_size is not None and "max_size" in changed:
            members = self.instance.enrolments.filter(state=EnrolmentState.MEMBER).count()
            if max_size < members:
                self.add_error(
                    "max_size",
                    gettext(
                        "This group already has %(members)d members: "
                        "it needs at least as many places."
                    )
                    % {"members": members},
                )
        return cleaned
