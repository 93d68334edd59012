"""The public knowledge: what completed projects found and made, for anyone to read."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from projects.filters_knowledge import KnowledgeFilter
from projects.selectors_knowledge import knowledge_page, knowledge_projects

PER_PAGE = 20


def _page_number(value: str | None) -> int:
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


@require_safe
def knowledge_list_view(request):
    """Completed projects with their public summaries and products, filtered by theme and
    neighbourhood and searchable in Dutch. A constant number of queries per page."""
    filterset = KnowledgeFilter(request.GET, queryset=knowledge_projects())
    # An invalid choice (an unknown slug) is left out of the filtering and the form shows
    # the error beside the field, with what was chosen.
    page = knowledge_page(
        filterset.qs,
        ordering=filterset.ordering,
        number=_page_number(request.GET.get("page")),
        per_page=PER_PAGE,
    )
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page_obj": page,
        "projects": page.object_list,
        "search_text": filterset.search_text,
        "is_filtered": any(value for key, value in request.GET.lists() if key != "page"),
    }
    return render(request, "projects/knowledge/list.html", context)
