"""Reused querysets for finding projects: the discovery list and the project page.

Everything a card or the project page shows is fetched in a fixed number of queries,
whatever the number of projects: counts are subqueries, related rows are read in one query
per relation. The cards of the discovery page are one SQL query of their own
(projects.cards).
"""

from datetime import date, datetime
from math import ceil

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.core.paginator import Page, Paginator
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from partners.models import Neighbourhood, Organisation, Theme
from projects.cards import CardPartner, cards
from projects.enums import ACTIVE_ENROLMENT_STATES, CohortState, EnrolmentState
from projects.models import Cohort, Enrolment, Project
from projects.services.enrolment import waiting_ahead


def _member_count() -> Coalesce:
    """The number of members of the cohort in the outer query, as a subquery."""
    members = (
        Enrolment.objects.filter(cohort=OuterRef("pk"), state=EnrolmentState.MEMBER)
        .order_by()
        .values("cohort")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def cohorts_with_places(cohorts: QuerySet[Cohort], *, now: datetime) -> QuerySet[Cohort]:
    """Cohorts with `members`, `places_left` (never below 0) and `registration_is_open`."""
    return cohorts.annotate(
        members=_member_count(),
        places_left=Greatest(F("max_size") - F("members"), Value(0)),
        registration_is_open=ExpressionWrapper(
            Q(
                state=CohortState.OPEN,
                registration_opens_at__lte=now,
                registration_closes_at__gt=now,
            ),
            output_field=BooleanField(),
        ),
    )


def joinable_cohorts_with_room(*, now: datetime) -> QuerySet[Cohort]:
    """Cohorts a student can join right now and still get a place in."""
    return (
        Cohort.objects.filter(
            state=CohortState.OPEN,
            registration_opens_at__lte=now,
            registration_closes_at__gt=now,
        )
        .annotate(members=_member_count())
        .filter(members__lt=F("max_size"))
    )


def projects_for_discovery() -> QuerySet[Project]:
    """Every project, for DiscoveryFilter to narrow and sort by `next_open_start`.

    Card facts are added by discovery_page, for the projects of one page only.
    """
    return Project.objects.all()


def with_themes_and_partners(projects: list[Project]) -> list[Project]:
    """Sets `theme_names` and `public_organisations` (CardPartner, by name) on each project:
    two queries of plain values, whatever the number of projects. Cheaper than
    prefetch_related, which builds a model instance and a queryset per row."""
    ids = [project.pk for project in projects]
    themes: dict[int, list[str]] = {}
    for project_id, name in (
        Project.themes.through.objects.filter(project_id__in=ids)
        .order_by("theme__name")
        .values_list("project_id", "theme__name")
    ):
        themes.setdefault(project_id, []).append(name)
    partners: dict[int, list[CardPartner]] = {}
    for project_id, name, address in (
        Project.organisations.through.objects.filter(
            project_id__in=ids, organisation__is_public=True
        )
        .order_by("organisation__name")
        .values_list("project_id", "organisation__name", "organisation__address")
    ):
        partners.setdefault(project_id, []).append(CardPartner(name=name, address=address))
    for project in projects:
        project.theme_names = themes.get(project.pk, [])
        project.public_organisations = partners.get(project.pk, [])
    return projects


class _SearchTerms(Func):
    """The tsquery of a search term: SQL function projects_search_query (migration 0005).

    A sub-select, so PostgreSQL builds it once per query (an InitPlan) instead of once per
    row, which it would do for a STABLE function in a filter.
    """

    function = "projects_search_query"
    template = "(SELECT %(function)s(%(expressions)s))"
    output_field = SearchQueryField()


class _Matches(Func):
    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _search_terms(text: str) -> _SearchTerms:
    return _SearchTerms(Value(text))


def projects_matching(projects: QuerySet[Project], *, text: str) -> QuerySet[Project]:
    """Projects that match a search term; search_relevance(text) orders them.

    A match is Dutch full text (stemmed, so "eenzaam" finds "eenzaamheid"; websearch syntax,
    so "quoted phrases" and -minus work) on title, summary and description, or a word in the
    title that looks like the term (so "buurt" and "moestuin" find "Buurtmoestuin").

    Both are one condition on the full-text index: the title words that look like the term
    are found first in the small TitleWord table (pg_trgm's `<%`, threshold
    `pg_trgm.word_similarity_threshold`, 0.6 by default: "buurt" scores 0.83 against
    "buurtmoestuin", "moestuin" 0.78, "tuin" 0.6, an unrelated word 0) and join the query as
    title (weight A) lexemes. Comparing the term with every title instead cost a trigram
    computation per project, which PostgreSQL prices like a plain comparison and so did in a
    sequential scan: four fifths of a search's time at 10,000 projects.
    """
    return projects.filter(_Matches(F("search_vector"), _search_terms(text)))


def search_relevance(text: str) -> SearchRank:
    """How well a project matches `text`: the weighted text rank, in which a title word
    counts five times a description word, so a title match comes first."""
    return SearchRank(F("search_vector"), _search_terms(text))


def theme_and_neighbourhood_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(slug, name) of every theme and of every neighbourhood, each by name: one query."""
    themes = Theme.objects.annotate(kind=Value(0)).values_list("kind", "slug", "name")
    hoods = Neighbourhood.objects.annotate(kind=Value(1)).values_list("kind", "slug", "name")
    choices: tuple[list, list] = ([], [])
    for kind, slug, name in (
        themes.order_by().union(hoods.order_by(), all=True).order_by("kind", "name")
    ):
        choices[kind].append((slug, name))
    return choices


def projects_with_open_places(projects: QuerySet[Project], *, now: datetime) -> QuerySet[Project]:
    """Projects with a group that is open for registration now and not full."""
    return projects.filter(
        Exists(joinable_cohorts_with_room(now=now).filter(project=OuterRef("pk")))
    )


def projects_starting_in(
    projects: QuerySet[Project], *, first_day: date, next_first_day: date
) -> QuerySet[Project]:
    """Projects with a group (not cancelled) that starts in the given month."""
    return projects.filter(
        Exists(
            Cohort.objects.filter(
                project=OuterRef("pk"),
                starts_on__gte=first_day,
                starts_on__lt=next_first_day,
            ).exclude(state=CohortState.CANCELLED)
        )
    )


def project_for_page(*, slug: str, now: datetime) -> Project:
    """One project with everything its page shows, in a fixed number of queries.

    Prefetches `listed_cohorts` (every group that was not cancelled, by start date, with
    places left) and `public_lecturers` (the lecturers with an active account who agreed to
    be named on public pages, `User.name_public`). Raises Project.DoesNotExist for an
    unknown slug.
    """
    cohorts = cohorts_with_places(
        Cohort.objects.exclude(state=CohortState.CANCELLED), now=now
    ).order_by("starts_on", "pk")
    return (
        Project.objects.select_related("neighbourhood")
        .defer("search_vector")
        .prefetch_related(
            "themes",
            Prefetch(
                "organisations",
                queryset=Organisation.objects.filter(is_public=True),
                to_attr="public_organisations",
            ),
            # A public page: only the lecturers who agreed to be named on it.
            Prefetch(
                "lecturers",
                queryset=User.objects.filter(name_public=True, is_active=True).only("pk", "name"),
                to_attr="public_lecturers",
            ),
            Prefetch("cohorts", queryset=cohorts, to_attr="listed_cohorts"),
        )
        .get(slug=slug)
    )


def enrolments_of_student(*, student: User, cohort_ids: list[int]) -> dict[int, Enrolment]:
    """The student's active enrolment per cohort, for the given cohorts, each annotated with
    `ahead`: how many wait before it (one query, whatever the number of cohorts)."""
    if not cohort_ids:
        return {}
    enrolments = Enrolment.objects.filter(
        student=student, cohort_id__in=cohort_ids, state__in=ACTIVE_ENROLMENT_STATES
    ).annotate(ahead=waiting_ahead())
    return {enrolment.cohort_id: enrolment for enrolment in enrolments}


def discovery_page(
    projects: QuerySet[Project],
    *,
    ordering: list,
    number: int,
    per_page: int,
    filtered: bool = False,
    ranked: bool = False,
) -> Page:
    """One page of `projects` in `ordering`, as Cards, and the number in all pages.

    Three ways to find the keys of the page and the total, each the fastest for its case
    (bench/README.md has the figures); every one ends with the cards of the page
    (projects.cards), so a page deep in the list costs no more than the first:

    - the whole list (not `filtered`): a count, which is a cheap scan, then the keys, an
      index scan of the default order that stops after the page;
    - `ranked` (a search in order of relevance): the keys and a window count in one query,
      so the matches are found and ranked once, and PostgreSQL keeps only the best rows
      of its sort (a top-N heapsort);
    - `filtered` in the date order: one aggregate, the number of matches and the page's
      slice of their ordered keys (_page_of_keys).

    A page past the end shows the last page (one more query when it was past the end).
    """
    if ranked:
        page_ids, total = _page_by_window(projects, ordering, number, per_page)
    elif filtered:
        page_ids, total = _page_of_keys(projects, ordering, number, per_page)
    else:
        total = projects.count()
        offset = (_last_page(number, total, per_page) - 1) * per_page
        ordered = projects.order_by(*ordering).values_list("pk", flat=True)
        page_ids = list(ordered[offset : offset + per_page]) if total else []
    paginator = Paginator(projects, per_page)
    paginator.count = total  # a cached_property: set here, Paginator does not count again
    return Page(cards(page_ids), _last_page(number, total, per_page), paginator)


def _last_page(number: int, total: int, per_page: int) -> int:
    """`number`, or the last page when it is past the end."""
    return min(max(number, 1), max(ceil(total / per_page), 1))


def _page_by_window(
    projects: QuerySet[Project], ordering: list, number: int, per_page: int
) -> tuple[list[int], int]:
    ranked = projects.order_by(*ordering).annotate(total=Window(Count("pk")))
    offset = (max(number, 1) - 1) * per_page
    rows = list(ranked.values_list("pk", "total")[offset : offset + per_page])
    if rows:
        return [pk for pk, _ in rows], rows[0][1]
    total = projects.count() if offset else 0
    if not total:
        return [], 0
    offset = (_last_page(number, total, per_page) - 1) * per_page
    return list(ranked.values_list("pk", flat=True)[offset : offset + per_page]), total


class _Keys(Func):
    """Keys `first` to `last` (counted from 1, both included) of an SQL array."""

    def __init__(self, keys: ArrayAgg, *, first: int, last: int) -> None:
        super().__init__(
            keys, Value(first), Value(last), output_field=ArrayField(BigIntegerField())
        )

    def as_sql(self, compiler, connection, **extra_context):
        (keys, keys_params), (first, first_params), (last, last_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return f"({keys})[{first}:{last}]", (*keys_params, *first_params, *last_params)


def _page_of_keys(
    projects: QuerySet[Project], ordering: list, number: int, per_page: int
) -> tuple[list[int], int]:
    """One aggregate over the matches: their number and the page's slice of their keys in
    order. With a window count and `ORDER BY … LIMIT` instead, PostgreSQL planned as if the
    limit stopped the scan early, walked the whole index of the date order and tested
    every project against the filters (about 10 ms for three filters on 10,000 projects,
    against 2 ms for this). For a search in order of relevance the window is better: this
    sorts every match, the window only keeps the best (_page_by_window)."""

    def page(number: int) -> dict:
        first = (number - 1) * per_page + 1
        keys = ArrayAgg("pk", order_by=ordering, default=[])
        return projects.order_by().aggregate(
            total=Count("pk"), keys=_Keys(keys, first=first, last=first + per_page - 1)
        )

    found = page(max(number, 1))
    total = found["total"]
    if total and not found["keys"]:
        found = page(_last_page(number, total, per_page))
    return found["keys"], total
