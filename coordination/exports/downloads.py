"""The download of an export, shared by the dashboard's links and the admin's actions."""

from django.http import HttpResponse
from django.utils import timezone

from coordination.exports.base import ExportFilters
from coordination.exports.services import CONTENT_TYPES, export_file, export_rows


def export_download(
    kind: str, *, file_format: str, actor, filters: ExportFilters | None = None
) -> HttpResponse:
    """The export as a file to save, named after the kind and today's date, e.g.
    groepen-20261102.xlsx. Raises what export_rows and export_file raise."""
    table = export_rows(kind, actor=actor, filters=filters)
    content = export_file(table, file_format=file_format)
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="{kind}-{timezone.localdate():%Y%m%d}.{file_format}"'
    )
    return response
