"""Reused querysets for finding projects: the discovery list and the project page.

Everything a card or the project page shows is fetched in a fixed number of queries,
whatever the number of projects: counts are subqueries, related rows are prefetched.
"""

from datetime import date, datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
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


def upcoming_open_cohorts(*, now: datetime) -> QuerySet[Cohort]:
    """Cohorts open for registration whose registration has not closed yet (it may open
    later). The soonest one is the "next group" a card shows."""
    return Cohort.objects.filter(state=CohortState.OPEN, registration_closes_at__gt=now)


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


def projects_for_discovery(*, now: datetime) -> QuerySet[Project]:
    """All projects with what a card shows, in a fixed number of queries.

    Annotates the soonest open group (None when there is none): `next_start`, `next_end`,
    `next_registration_opens_at` and `next_places_left`. Only `next_start` is needed to sort;
    PostgreSQL works out the other three after the LIMIT, for the rows of one page only.
    `neighbourhood_name` is a subquery too, for the same reason: a join would run for every
    project before the sort. Prefetches themes and public partner organisations.
    """
    next_open = (
        upcoming_open_cohorts(now=now).filter(project=OuterRef("pk")).order_by("starts_on", "pk")
    )
    with_places = next_open.annotate(
        places_left=Greatest(F("max_size") - _member_count(), Value(0))
    )

    def soonest(cohorts: QuerySet[Cohort], field: str) -> Subquery:
        return Subquery(cohorts.values(field)[:1])

    return (
        # Only what a card shows: every row passes through the sort, and the search vector
        # alone can be kilobytes.
        Project.objects.only(
            "title", "slug", "summary", "location_kind", "location", "csl_level", "weekdays"
        )
        .annotate(
            neighbourhood_name=Subquery(
                Neighbourhood.objects.filter(pk=OuterRef("neighbourhood_id")).values("name")
            ),
            next_start=soonest(next_open, "starts_on"),
            next_end=soonest(next_open, "ends_on"),
            next_registration_opens_at=soonest(next_open, "registration_opens_at"),
            next_places_left=soonest(with_places, "places_left"),
        )
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("pk", "name", "slug")),
            Prefetch(
                "organisations",
                queryset=Organisation.objects.filter(is_public=True).only(
                    "pk", "name", "slug", "address"
                ),
                to_attr="public_organisations",
            ),
        )
    )


def projects_matching(projects: QuerySet[Project], *, text: str) -> QuerySet[Project]:
    """Projects that match a search term, annotated with `relevance`.

    A match is Dutch full text (stemmed, so "eenzaam" finds "eenzaamheid"; websearch syntax,
    so "quoted phrases" and -minus work) on title, summary and description, or a word in the
    title that looks like the term (so "buurt" and "moestuin" find "Buurtmoestuin"). Both
    conditions use their own GIN index. Relevance adds the weighted text rank (title counts
    most) to the title similarity, so a title match comes first.

    The title condition is the `%>` operator, which the trigram index serves; its threshold
    is PostgreSQL's `pg_trgm.word_similarity_threshold`, 0.6 by default: "buurt" scores 0.83
    against "Buurtmoestuin", "moestuin" 0.78, "tuin" 0.6, an unrelated word 0.
    """
    query = SearchQuery(text, config="dutch", search_type="websearch")
    return projects.annotate(
        relevance=ExpressionWrapper(
            SearchRank(F("search_vector"), query) + TrigramWordSimilarity(text, "title"),
            output_field=FloatField(),
        )
    ).filter(Q(search_vector=query) | Q(title__trigram_word_similar=text))


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
    places left). Raises Project.DoesNotExist for an unknown slug.
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
            Prefetch("lecturers", queryset=User.objects.only("pk", "name")),
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


def page_with_total(queryset: QuerySet, *, number: int, per_page: int) -> Page:
    """One page of `queryset` and the number of rows in all pages, in one query.

    The total comes from a window function over the same rows, so filters and search run
    once instead of twice (Paginator's separate COUNT repeats them). A page past the end
    falls back to a count and the last page.
    """
    number = max(number, 1)
    offset = (number - 1) * per_page
    rows = list(queryset.annotate(total_rows=Window(Count("pk")))[offset : offset + per_page])
    if rows:
        total = rows[0].total_rows
    elif number == 1:
        total = 0
    else:
        total = queryset.count()
        last = max((total + per_page - 1) // per_page, 1)
        return page_with_total(queryset, number=last, per_page=per_page)
    paginator = Paginator(queryset, per_page)
    paginator.count = total  # a cached_property: set here, Paginator does not count again
    return Page(rows, number, paginator)
