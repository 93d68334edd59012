"""The filters and search of the public knowledge page. Every choice lives in the URL (a GET
form), so a result can be bookmarked and shared, and the page works without JavaScript."""

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from projects import selectors
from projects.models import Project
from projects.selectors_knowledge import knowledge_matching, knowledge_relevance

SEARCH_MAX_LENGTH = 100


class KnowledgeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("A word from the title or what the groups found, for example “eenzaamheid”."),
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # Chosen by slug; both lists are read in one query in __init__ (see the discovery filter).
    theme = django_filters.MultipleChoiceFilter(
        method="filter_theme", label=_("Theme"), widget=forms.CheckboxSelectMultiple
    )
    neighbourhood = django_filters.ChoiceFilter(
        field_name="neighbourhood__slug", label=_("Neighbourhood"), empty_label=_("All of Leiden")
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        themes, neighbourhoods = selectors.theme_and_neighbourhood_choices()
        self.filters["theme"].extra["choices"] = themes
        self.filters["neighbourhood"].extra["choices"] = neighbourhoods

    def filter_search(
        self, queryset: QuerySet[Project], name: str, value: str
    ) -> QuerySet[Project]:
        text = value.strip()
        return knowledge_matching(queryset, text=text) if text else queryset

    def filter_theme(
        self, queryset: QuerySet[Project], name: str, value: list[str]
    ) -> QuerySet[Project]:
        # A subquery rather than a join, so a project with two chosen themes appears once.
        through = Project.themes.through.objects.filter(theme__slug__in=value)
        return queryset.filter(pk__in=through.values("project_id"))

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
