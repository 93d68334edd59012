"""The impact report of an academic year, printable as it is."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from coordination.selectors_impact import FIRST_YEAR, LAST_YEAR, AcademicYear, impact
from coordination.views import coordinator_only


@require_GET
@coordinator_only
def current_year_view(request):
    """The report of the academic year we are in."""
    year = AcademicYear.of(timezone.localdate())
    return redirect("coordination:impact", first=year.first, second=year.first + 1)


@require_GET
@coordinator_only
def impact_view(request, first: int, second: int):
    if second != first + 1 or not FIRST_YEAR <= first <= LAST_YEAR:
        raise Http404
    year = AcademicYear(first)
    return render(request, "coordination/impact.html", {"report": impact(year), "year": year})
