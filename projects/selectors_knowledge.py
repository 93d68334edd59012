"""The public knowledge: completed projects with what their groups made public.

A project counts as completed knowledge once one of its groups has completed with an
approved handover dossier that has something public (a public summary or a public
product). Only public parts are read: the project's own public fields, the names of its
themes, neighbourhood and public partners, and what public_handovers returns.
"""

from math import ceil

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from partners.models import Neighbourhood
from projects.enums import CohortState, DossierState
from projects.models import HandoverDossier, HandoverProduct, Project
from projects.selectors import with_themes_and_partners
from projects.selectors_handover import public_handovers


def _public_dossiers() -> QuerySet[HandoverDossier]:
    """Approved dossiers of completed groups that show anyone something."""
    has_public_product = Exists(HandoverProduct.objects.filter(dossier=OuterRef("pk"), public=True))
    return HandoverDossier.objects.filter(
        cohort__state=CohortState.COMPLETED, state=DossierState.APPROVED
    ).filter(Q(public_summary__regex=r"\S") | has_public_product)


def knowledge_projects() -> QuerySet[Project]:
    """Completed projects, each with `completed_on`: the end of its latest such group."""
    dossiers = _public_dossiers().filter(cohort__project=OuterRef("pk"))
    latest_end = dossiers.order_by("-cohort__ends_on").values("cohort__ends_on")[:1]
    return Project.objects.filter(Exists(dossiers)).annotate(completed_on=Subquery(latest_end))


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config="dutch", search_type="websearch")


def knowledge_matching(projects: QuerySet[Project], *, text: str) -> QuerySet[Project]:
    """Projects whose title, summary or description (Project.search_vector, indexed) or one
    of whose public summaries matches `text` in Dutch full text (stemmed: "eenzaam" finds
    "eenzaamheid")."""
    query = _search_query(text)
    summaries = (
        _public_dossiers()
        .filter(cohort__project=OuterRef("pk"))
        .annotate(text=SearchVector("public_summary", config="dutch"))
        .filter(text=query)
    )
    return projects.filter(Q(search_vector=query) | Exists(summaries))


def knowledge_relevance(text: str) -> Coalesce:
    """The weighted rank of the project's own text; a project found only by a public
    summary ranks after those that name the term themselves."""
    return Coalesce(
        SearchRank(F("search_vector"), _search_query(text)), 0.0, output_field=FloatField()
    )


def knowledge_page(
    projects: QuerySet[Project], *, ordering: list, number: int, per_page: int
) -> Page:
    """One page of `projects` in `ordering`, each with `neighbourhood_name`, `theme_names`,
    `public_organisations` and `handovers` (the public part of its approved dossiers,
    latest group first). A count, the page, and two queries each for its themes and
    partners and its public handovers: the same number whatever the number of projects.
    A page past the end shows the last page."""
    total = projects.count()
    last = max(ceil(total / per_page), 1)
    number = min(max(number, 1), last)
    offset = (number - 1) * per_page
    rows: list[Project] = []
    if total:
        rows = list(
            projects.order_by(*ordering)
            .only("title", "slug", "summary", "neighbourhood_id")
            .annotate(
                neighbourhood_name=Subquery(
                    Neighbourhood.objects.filter(pk=OuterRef("neighbourhood_id")).values("name")
                )
            )[offset : offset + per_page]
        )
        with_themes_and_partners(rows)
        handovers = public_handovers(project.pk for project in rows)
        for project in rows:
            project.handovers = handovers.get(project.pk, [])
    paginator = Paginator(projects, per_page)
    paginator.count = total  # a cached_property: set here, Paginator does not count again
    return Page(rows, number, paginator)


def completed_projects_of(organisation_id: int) -> list[Project]:
    """The completed projects an organisation took part in, latest first, with their public
    handovers (for the organisation's public page). Three queries."""
    projects = list(
        knowledge_projects()
        .filter(organisations=organisation_id)
        .only("title", "slug", "summary")
        .order_by(F("completed_on").desc(nulls_last=True), "title", "pk")
    )
    handovers = public_handovers(project.pk for project in projects)
    for project in projects:
        project.handovers = handovers.get(project.pk, [])
    return projects
