"""The coordinators' dashboard: the pipeline, the people at work and the load on the city."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from coordination import charts
from coordination.forms import DashboardFilterForm
from coordination.selectors import Dashboard, LoadRow, dashboard
from coordination.views import coordinator_only
from partners.models import Neighbourhood, Theme
from projects.models import AcademicPeriod


@require_GET
@coordinator_only
def dashboard_view(request):
    """Figures for the filters in the URL; a filter that does not validate is shown with its
    error and filters nothing."""
    neighbourhoods = list(Neighbourhood.objects.all())
    form = DashboardFilterForm(
        request.GET or None,
        periods=list(AcademicPeriod.objects.all()),
        themes=list(Theme.objects.all()),
        neighbourhoods=neighbourhoods,
    )
    filters = form.filters()
    figures = dashboard(
        filters,
        neighbourhoods=neighbourhoods,
        now=timezone.now(),
        today=timezone.localdate(),
    )
    return render(
        request,
        "coordination/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "figures": figures,
            "charts": _charts(figures),
            # For links that keep the filters, such as the exports.
            "filter_query": request.GET.urlencode(),
        },
    )


def _charts(figures: Dashboard) -> dict:
    return {
        "challenges": charts.bar_chart(
            [charts.Bar(row.label, row.count) for row in figures.challenges],
            table_id="challenges-table",
        ),
        "cohorts": charts.bar_chart(
            [charts.Bar(row.label, row.value) for row in figures.cohorts],
            table_id="cohorts-table",
        ),
        "institution_kinds": charts.bar_chart(
            [charts.Bar(row.label, row.value) for row in figures.students_by_institution_kind],
            table_id="institution-kinds-table",
        ),
        "themes": charts.bar_chart(
            [charts.Bar(row.label, row.value) for row in figures.students_by_theme],
            table_id="themes-table",
        ),
        "organisations": charts.bar_chart(
            [_load_bar(row) for row in figures.organisation_loads],
            table_id="organisations-table",
        ),
        "neighbourhoods": charts.bar_chart(
            [_load_bar(row) for row in figures.neighbourhood_loads],
            table_id="neighbourhoods-table",
        ),
    }


def _load_bar(row: LoadRow) -> charts.Bar:
    level = "over" if row.over else "close" if row.close else ""
    return charts.Bar(row.name, row.current, budget=row.budget, level=level)
