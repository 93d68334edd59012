"""The dashboard's filters: a GET form, so every view of the figures has its own URL."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.selectors import DashboardFilters
from partners.models import Neighbourhood, Theme
from projects.models import AcademicPeriod


class DashboardFilterForm(forms.Form):
    """Period by id, theme and neighbourhood by slug; each may be left empty.

    The choices come in already loaded (the view reads each table once and also hands the
    neighbourhoods to the load figures), so validating costs no query.
    """

    period = forms.ChoiceField(label=_("Period"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    neighbourhood = forms.ChoiceField(label=_("Neighbourhood"), required=False)

    def __init__(
        self,
        data=None,
        *,
        periods: list[AcademicPeriod],
        themes: list[Theme],
        neighbourhoods: list[Neighbourhood],
    ):
        super().__init__(data)
        self._periods = {str(period.pk): period for period in periods}
        self._themes = {theme.slug: theme for theme in themes}
        self._neighbourhoods = {hood.slug: hood for hood in neighbourhoods}
        everything = [("", _("All"))]
        self.fields["period"].choices = everything + [
            (str(period.pk), period.name) for period in periods
        ]
        self.fields["theme"].choices = everything + [(theme.slug, theme.name) for theme in themes]
        self.fields["neighbourhood"].choices = everything + [
            (hood.slug, hood.name) for hood in neighbourhoods
        ]

    def filters(self) -> DashboardFilters:
        """The filters that validated; a field with an error filters nothing."""
        if not self.is_bound:
            return DashboardFilters()
        self.is_valid()
        data = self.cleaned_data
        return DashboardFilters(
            period=self._periods.get(data.get("period") or ""),
            theme=self._themes.get(data.get("theme") or ""),
            neighbourhood=self._neighbourhoods.get(data.get("neighbourhood") or ""),
        )
