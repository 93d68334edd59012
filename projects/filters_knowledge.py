"""The filters and search of the public knowledge page. Every choice lives in the URL (a GET
form), so a result can be bookmarked and shared, and the page works without JavaScript."""

import django_filters
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from projects.filters import (
    ThemeAndNeighbourhoodMixin,
    neighbourhood_filter,
    search_filter,
    theme_filter,
)
from projects.models import Project
from projects.selectors_knowledge import knowledge_matching, knowledge_relevance


class KnowledgeFilter(ThemeAndNeighbourhoodMixin, django_filters.FilterSet):
    q = search_filter(
        help_text=_("A word from the title or what the groups found, for example “eenzaamheid”.")
    )
    theme = theme_filter()
    neighbourhood = neighbourhood_filter()

    class Meta:
        model = Project
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_theme_and_neighbourhood_choices()

    def filter_search(
        self, queryset: QuerySet[Project], name: str, value: str
    ) -> QuerySet[Project]:
        text = value.strip()
        return knowledge_matching(queryset, text=text) if text else queryset

    @property
    def search_text(self) -> str:
        self.form.is_valid()
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def ordering(self) -> list:
        """Best match first when searching, else the most recently completed first; the
        title and the key make the order total, so pages neither skip nor repeat."""
        latest = F("completed_on").desc(nulls_last=True)
        if self.search_text:
            return [knowledge_relevance(self.search_text).desc(), latest, "title", "pk"]
        return [latest, "title", "pk"]
