"""The exports as downloads, linked from the coordinators' dashboard
(templates/coordination/_exports.html).

Coordinators only; anyone else signed in gets a 404, as for anything outside their scope.
The dashboard's filters (period by id, theme and neighbourhood by slug) carry over; one that
does not match filters nothing, as on the dashboard.
"""

from django.contrib.auth.decorators import login_required
from django.core.validators import slug_re
from django.http import Http404, QueryDict
from django.views.decorators.http import require_safe

from accounts.rules import is_coordinator
from coordination.exports.base import ExportFilters
from coordination.exports.downloads import export_download
from coordination.exports.services import ExportError
from partners.models import Neighbourhood, Theme
from projects.models import AcademicPeriod

MAX_ID = 2**31


@login_required
@require_safe
def export_view(request, kind: str, file_format: str):
    # export_rows refuses too; refusing here first reads no filters for a stranger.
    if not is_coordinator(request.user):
        raise Http404
    try:
        return export_download(
            kind, file_format=file_format, actor=request.user, filters=_filters(request.GET)
        )
    except ExportError as error:
        raise Http404 from error


def _filters(query: QueryDict) -> ExportFilters:
    period = query.get("period", "")
    # Anything but a plain number that fits the column filters nothing.
    is_id = period.isascii() and period.isdigit() and int(period) < MAX_ID
    return ExportFilters(
        period=AcademicPeriod.objects.filter(pk=period).first() if is_id else None,
        theme=_by_slug(Theme, query.get("theme", "")),
        neighbourhood=_by_slug(Neighbourhood, query.get("neighbourhood", "")),
    )


def _by_slug(model, slug: str):
    return model.objects.filter(slug=slug).first() if slug_re.match(slug) else None
