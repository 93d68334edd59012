"""The audit page: who changed what on challenges, groups, enrolments and Meet & Matches."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.audit.forms import AuditFilterForm
from coordination.audit.selectors import audit_events, audit_lines
from coordination.views import coordinator_only

PER_PAGE = 50


@require_GET
@coordinator_only
def audit_view(request):
    """Recorded changes, newest first. Filters that do not validate are shown with their
    errors, and then no changes are listed rather than all of them."""
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    page = lines = None
    if filters is not None:
        page = Paginator(audit_events(**filters), PER_PAGE).get_page(request.GET.get("pagina"))
        lines = audit_lines(list(page.object_list))
    return render(
        request,
        "coordination/audit.html",
        {
            "form": form,
            "page_obj": page,
            "lines": lines,
            "is_filtered": any(request.GET.get(name) for name in form.fields),
        },
    )
