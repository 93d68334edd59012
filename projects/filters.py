"""The filters and search of the discovery page. Every choice lives in the URL (a GET form),
so a filtered list can be bookmarked, shared and used without JavaScript."""

from dataclasses import dataclass
from datetime import date, datetime

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.forms import BoundField
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.enums import InstitutionKind, Weekday
from partners.enums import CslLevel
from projects import selectors
from projects.enums import ProjectLanguage
from projects.models import Project

MONTHS_AHEAD = 12
SEARCH_MAX_LENGTH = 100


class Order:
    RELEVANCE = "relevance"
    DATE = "date"


ORDER_CHOICES = [
    (Order.RELEVANCE, _("Best match first (when you search)")),
    (Order.DATE, _("Starts soonest first")),
]

# Which project languages suit a student who picks a language: a project in both
# languages suits everyone.
LANGUAGE_MATCHES = {
    ProjectLanguage.DUTCH: [ProjectLanguage.DUTCH, ProjectLanguage.BOTH],
    ProjectLanguage.ENGLISH: [ProjectLanguage.ENGLISH, ProjectLanguage.BOTH],
    ProjectLanguage.BOTH: [ProjectLanguage.BOTH],
}


def _month_start(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def start_month_choices() -> list[tuple[str, str]]:
    """This month and the next eleven, as ("2026-09", "september 2026")."""
    today = timezone.localdate()
    months = (_month_start(today, n) for n in range(MONTHS_AHEAD))
    return [(f"{m:%Y-%m}", date_format(m, "F Y")) for m in months]


@dataclass(frozen=True, slots=True)
class FilterOption:
    """One choice of a select or of a group of checkboxes, as the page renders it."""

    id: str
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class FilterField:
    """One filter of the form as plain values, so the page writes it out with a loop over
    strings instead of Django's widget templates (about fifty choices in all).

    `kind` is "choices" (checkboxes in a fieldset), "select", "checkbox" (one box, ticked
    when `checked`) or "input" (an <input> of `input_type`, with `value`).
    """

    kind: str
    name: str
    id: str
    label: str
    help_text: str
    errors: list[str]
    describedby: str
    options: list[FilterOption]
    value: str = ""
    checked: bool = False
    input_type: str = ""
    maxlength: str = ""


def _options(bound: BoundField) -> list[FilterOption]:
    # As ChoiceWidget.format_value and optgroups: values compared as strings, and a
    # single select marks only its first match.
    value = bound.value()
    values = value if isinstance(value, list | tuple) else [value]
    chosen = {"" if v is None else str(v) for v in values}
    multiple = bound.field.widget.allow_multiple_selected
    options = []
    for index, (choice_value, choice_label) in enumerate(bound.field.choices):
        key = "" if choice_value is None else str(choice_value)
        selected = key in chosen
        if selected and not multiple:
            chosen = set()
        options.append(
            FilterOption(
                id=f"{bound.auto_id}_{index}", value=key, label=str(choice_label), selected=selected
            )
        )
    return options


def _kind(widget: forms.Widget) -> str:
    if widget.use_fieldset:
        return "choices"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.widgets.Input) and widget.attrs.keys() <= {"maxlength"}:
        return "input"
    raise TypeError(f"The discovery page cannot write out a {type(widget).__name__} yet.")


def _input_value(bound: BoundField) -> str:
    # As the widget does: the value as typed (format_value turns None and "" into nothing).
    formatted = bound.field.widget.format_value(bound.value())
    return "" if formatted is None else str(formatted)


def filter_fields(form: forms.Form) -> list[FilterField]:
    """Every field of the bound filter form as a FilterField, in the form's order."""
    fields = []
    for bound in form:
        widget = bound.field.widget
        kind = _kind(widget)
        fields.append(
            FilterField(
                kind=kind,
                name=bound.html_name,
                id=bound.auto_id,
                label=str(bound.label),
                help_text=str(bound.help_text),
                errors=list(bound.errors),
                describedby=bound.aria_describedby or "",
                options=_options(bound) if kind in {"choices", "select"} else [],
                value=_input_value(bound) if kind == "input" else "",
                checked=kind == "checkbox" and widget.check_test(bound.value()),
                input_type=widget.input_type if kind == "input" else "",
                maxlength=str(widget.attrs.get("maxlength", "")),
            )
        )
    return fields


def search_filter(*, help_text: str) -> django_filters.CharFilter:
    """The free-text search box; the filter set gives it its own `filter_search`."""
    return django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=help_text,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


def theme_filter() -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        method="filter_theme",
        label=_("Theme"),
        widget=forms.CheckboxSelectMultiple,
    )


def neighbourhood_filter() -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        field_name="neighbourhood__slug",
        label=_("Neighbourhood"),
        empty_label=_("All of Leiden"),
    )


class ThemeAndNeighbourhoodMixin:
    """For a filter set with `theme_filter()` and `neighbourhood_filter()`.

    Themes and neighbourhoods are chosen by slug; their choices are read once per request
    (one plain query for both, where a model choice field would use a server-side cursor
    to render and another query to validate).
    """

    def set_theme_and_neighbourhood_choices(self) -> None:
        themes, neighbourhoods = selectors.theme_and_neighbourhood_choices()
        self.filters["theme"].extra["choices"] = themes
        self.filters["neighbourhood"].extra["choices"] = neighbourhoods

    def filter_theme(
        self, queryset: QuerySet[Project], name: str, value: list[str]
    ) -> QuerySet[Project]:
        # A subquery rather than a join, so a project with two chosen themes appears once.
        through = Project.themes.through.objects.filter(theme__slug__in=value)
        return queryset.filter(pk__in=through.values("project_id"))


class DiscoveryFilter(ThemeAndNeighbourhoodMixin, django_filters.FilterSet):
    """Filters, search and order of the project list.

    Each filter narrows the list; a filter left empty does nothing. Filters over related rows
    use subqueries (EXISTS or IN), so no filter duplicates a project or needs DISTINCT.
    """

    q = search_filter(
        help_text=_("A word from the title or the description, for example “eenzaamheid”.")
    )
    theme = theme_filter()
    level = django_filters.ChoiceFilter(
        field_name="csl_level",
        choices=CslLevel.choices,
        label=_("CSL level"),
        empty_label=_("Every level"),
        help_text=_("Low: a few hours a week. Intensive: a large part of your week."),
    )
    institution = django_filters.MultipleChoiceFilter(
        choices=InstitutionKind.choices,
        method="filter_institution",
        label=_("Type of education"),
        widget=forms.CheckboxSelectMultiple,
    )
    neighbourhood = neighbourhood_filter()
    start = django_filters.ChoiceFilter(
        choices=start_month_choices,
        method="filter_start",
        label=_("Starts in"),
        empty_label=pgettext_lazy("start month", "Any month"),
    )
    weekday = django_filters.TypedMultipleChoiceFilter(
        choices=Weekday.choices,
        coerce=int,
        method="filter_weekday",
        label=_("Days you can work"),
        widget=forms.CheckboxSelectMultiple,
    )
    language = django_filters.ChoiceFilter(
        choices=ProjectLanguage.choices,
        method="filter_language",
        label=_("Language"),
        empty_label=_("Any language"),
        help_text=_("Projects in Dutch and English show up for both."),
    )
    open_places = django_filters.BooleanFilter(
        method="filter_open_places",
        label=_("Only projects with a free place now"),
        widget=forms.CheckboxInput,
    )
    order = django_filters.ChoiceFilter(
        choices=ORDER_CHOICES,
        method="filter_order",
        label=_("Sort"),
        empty_label=None,
    )

    class Meta:
        model = Project
        fields = []

    def __init__(self, data=None, *args, now: datetime | None = None, **kwargs):
        # The form shows the order that is really used when the URL names none.
        if data is not None and not data.get("order"):
            data = data.copy()
            data["order"] = Order.RELEVANCE if data.get("q", "").strip() else Order.DATE
        super().__init__(data, *args, **kwargs)
        # One moment for the whole request, so "open now" means the same in every part.
        self.now = now or timezone.now()
        self.set_theme_and_neighbourhood_choices()

    # --- Filters -----------------------------------------------------------------------

    def filter_search(
        self, queryset: QuerySet[Project], name: str, value: str
    ) -> QuerySet[Project]:
        text = value.strip()
        if not text:
            return queryset
        return selectors.projects_matching(queryset, text=text)

    def filter_institution(
        self, queryset: QuerySet[Project], name: str, value: list[str]
    ) -> QuerySet[Project]:
        return queryset.filter(institution_kinds__overlap=value)

    def filter_weekday(
        self, queryset: QuerySet[Project], name: str, value: list[int]
    ) -> QuerySet[Project]:
        return queryset.filter(weekdays__overlap=value)

    def filter_language(
        self, queryset: QuerySet[Project], name: str, value: str
    ) -> QuerySet[Project]:
        return queryset.filter(language__in=LANGUAGE_MATCHES[ProjectLanguage(value)])

    def filter_start(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        year, month = (int(part) for part in value.split("-"))
        first_day = date(year, month, 1)
        return selectors.projects_starting_in(
            queryset, first_day=first_day, next_first_day=_month_start(first_day, 1)
        )

    def filter_open_places(
        self, queryset: QuerySet[Project], name: str, value: bool
    ) -> QuerySet[Project]:
        if not value:
            return queryset
        return selectors.projects_with_open_places(queryset, now=self.now)

    def filter_order(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        # Ordering depends on the search term, so it is applied last in filter_queryset.
        return queryset

    # --- Order -------------------------------------------------------------------------

    @property
    def search_text(self) -> str:
        return (self.form.cleaned_data.get("q") or "").strip()

    @property
    def ranked(self) -> bool:
        """Whether the list is in order of relevance: a search, unless the date order is
        chosen."""
        return bool(self.search_text) and self.form.cleaned_data.get("order") != Order.DATE

    @property
    def ordering(self) -> list:
        """Best match first when searching (unless the date order is chosen), else the
        soonest open group first; the title and the key make the order total, so pages
        neither skip nor repeat a project. The default order is the index
        project_next_open_order, column for column."""
        soonest = F("next_open_start").asc(nulls_last=True)
        if self.ranked:
            relevance = selectors.search_relevance(self.search_text).desc()
            return [relevance, soonest, "title", "pk"]
        return [soonest, "title", "pk"]

    def filter_queryset(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        return super().filter_queryset(queryset).order_by(*self.ordering)
