"""The public knowledge: completed projects with the public part of their approved dossiers."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.enums import CohortState, DossierState
from projects.models import HandoverDossier, HandoverProduct, Project
from tests.factories import NeighbourhoodFactory, ThemeFactory
from tests.partners.factories import OrganisationFactory
from tests.projects.cohort_factories import cohort_in
from tests.projects.factories import ChallengeFactory, ProjectFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CARD_TITLE = re.compile(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a></h3>')


@pytest.fixture
def client(client):
    # Wording is compared in English, the language of the msgids.
    client.cookies["lms_language"] = "en"
    return client


def knowledge(client, query: str = ""):
    return client.get(reverse("projects:knowledge") + (f"?{query}" if query else ""))


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [html.unescape(t) for t in CARD_TITLE.findall(response.text)]


def text_of(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.text)
    return " ".join(html.unescape(body).split())


def completed(
    title: str,
    *,
    public_summary: str = "",
    ended_weeks_ago: int = 4,
    cohort_state: CohortState = CohortState.COMPLETED,
    dossier_state: DossierState = DossierState.APPROVED,
    **fields,
) -> Project:
    """A project whose one group ran and handed over a dossier in `dossier_state`."""
    project = ProjectFactory(title=title, **fields)
    ends_on = timezone.localdate() - timedelta(weeks=ended_weeks_ago)
    cohort = cohort_in(
        cohort_state, project=project, number=1, starts_on=ends_on - timedelta(weeks=8),
        ends_on=ends_on,
    )  # fmt: skip
    HandoverDossier.objects.create(
        cohort=cohort,
        state=dossier_state,
        public_summary=public_summary,
        summary="Intern: geheime samenvatting voor de volgende groep.",
        contacts="Buurthuisbeheerder Jan, 06-12345678",
        resident_voices="Mevrouw De Vries vond het fijn.",
        decided_at=timezone.now() if dossier_state == DossierState.APPROVED else None,
    )
    return project


def product(project: Project, *, title: str, public: bool) -> HandoverProduct:
    dossier = HandoverDossier.objects.get(cohort__project=project)
    return HandoverProduct.objects.create(
        dossier=dossier, title=title, url="https://example.org/poster", public=public
    )


@pytest.fixture
def scene():
    """Two completed projects with public summaries, and four that must not show."""
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    literacy = ThemeFactory(slug="laaggeletterdheid", name="Laaggeletterdheid")
    noord = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    kooi = NeighbourhoodFactory(slug="de-kooi", name="De Kooi")
    tafel = completed(
        "Aan tafel",
        summary="Samen eten in de wijk.",
        public_summary="Ouderen die alleen wonen voelden minder eenzaamheid na de maaltijden.",
        themes=[loneliness],
        neighbourhood=noord,
        ended_weeks_ago=2,
    )
    product(tafel, title="Poster van de maaltijden", public=True)
    product(tafel, title="Intern verslag", public=False)
    completed(
        "Taalcafé",
        summary="Een plek om samen Nederlands te oefenen.",
        public_summary="Bewoners oefenden elke week met lezen en schrijven.",
        themes=[literacy],
        neighbourhood=kooi,
        ended_weeks_ago=6,
    )
    completed("Nog niet goedgekeurd", public_summary="Eenzaamheid", themes=[loneliness],
              dossier_state=DossierState.SUBMITTED)  # fmt: skip
    completed("Nog in overdracht", public_summary="Eenzaamheid", themes=[loneliness],
              cohort_state=CohortState.HANDOVER)  # fmt: skip
    completed("Niets openbaar", public_summary="  ", themes=[loneliness])
    ProjectFactory(title="Loopt nog", themes=[loneliness])
    return tafel


# --- What appears ------------------------------------------------------------------------


def test_knowledge_lists_only_completed_projects_with_public_parts(client, scene):
    assert titles(knowledge(client)) == ["Aan tafel", "Taalcafé"]


def test_knowledge_shows_public_summary_and_products_and_nothing_private(client, scene):
    text = text_of(knowledge(client))

    assert "Ouderen die alleen wonen voelden minder eenzaamheid na de maaltijden." in text
    assert "Poster van de maaltijden (link)" in text
    assert "Intern verslag" not in text
    assert "geheime samenvatting" not in text
    assert "06-12345678" not in text
    assert "De Vries" not in text
    assert "2 completed projects" in text


def test_knowledge_project_with_only_a_public_product_appears(client, db):
    project = completed("Alleen een poster", public_summary="")
    product(project, title="De poster", public=True)

    assert titles(knowledge(client)) == ["Alleen een poster"]


# --- Filters and search --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("theme=eenzaamheid", ["Aan tafel"]),
        ("theme=laaggeletterdheid", ["Taalcafé"]),
        ("theme=eenzaamheid&theme=laaggeletterdheid", ["Aan tafel", "Taalcafé"]),
        ("neighbourhood=de-kooi", ["Taalcafé"]),
        ("neighbourhood=leiden-noord&theme=laaggeletterdheid", []),
    ],
)
def test_knowledge_filters_by_theme_and_neighbourhood(client, scene, query, expected):
    assert titles(knowledge(client, query)) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # Stemmed Dutch: "eenzaam" finds "eenzaamheid", here only in the public summary.
        ("eenzaam", ["Aan tafel"]),
        ("taalcafé", ["Taalcafé"]),
        ("Nederlands oefenen", ["Taalcafé"]),
        ("maaltijden", ["Aan tafel"]),
        # Text of the dossier's private fields is never searched.
        ("geheime", []),
        ("Vries", []),
    ],
)
def test_knowledge_search_finds_title_summary_and_public_summary(client, scene, q, expected):
    assert titles(knowledge(client, f"q={q}")) == expected


def test_knowledge_search_ranks_a_title_match_first(client, scene):
    completed("Eenzaamheid in Noord", public_summary="Wat we vonden.", ended_weeks_ago=10)

    assert titles(knowledge(client, "q=eenzaamheid")) == ["Eenzaamheid in Noord", "Aan tafel"]


def test_knowledge_unknown_choice_is_reported_not_an_error(client, scene):
    response = knowledge(client, "theme=bestaat-niet&neighbourhood=nergens&q=eenzaam")

    assert titles(response) == ["Aan tafel"]
    assert "Select a valid choice. bestaat-niet is not one of the available choices." in text_of(
        response
    )
    assert 'value="eenzaam"' in response.text


def test_knowledge_paginates_twenty_a_page(client, db):
    for n in range(23):
        completed(f"Project {n:02d}", public_summary="Wat we vonden.", ended_weeks_ago=n + 1)

    first, second = knowledge(client), knowledge(client, "page=2")

    assert titles(first) == [f"Project {n:02d}" for n in range(20)]
    assert titles(second) == ["Project 20", "Project 21", "Project 22"]
    assert titles(knowledge(client, "page=x")) == titles(first)


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("query", ["", "q=eenzaamheid", "theme=eenzaamheid&neighbourhood=noord"])
def test_knowledge_query_count_does_not_grow_with_projects(
    client, count, query, django_assert_num_queries
):
    loneliness = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    noord = NeighbourhoodFactory(slug="noord", name="Noord")
    for n in range(count):
        project = completed(
            f"Project {n}",
            public_summary="Minder eenzaamheid.",
            themes=[loneliness],
            neighbourhood=noord,
            challenge=ChallengeFactory(organisation=OrganisationFactory()),
        )
        product(project, title="Poster", public=True)

    # Theme and neighbourhood choices; the count; the page; its themes; its partners; the
    # public dossiers and their public products.
    with django_assert_num_queries(7):
        response = knowledge(client, query)

    assert len(titles(response)) == min(count, 20)


def test_knowledge_is_linked_from_the_navigation_and_home(client, db):
    home = client.get(reverse("home"))

    assert home.text.count(f'href="{reverse("projects:knowledge")}"') == 2
    assert reverse("projects:knowledge") == "/kennis/"


def test_knowledge_approval_date_sorting_uses_latest_completed_group(client, db):
    project = completed("Twee groepen", public_summary="Eerste groep.", ended_weeks_ago=30)
    later_end = timezone.localdate() - timedelta(weeks=1)
    second = cohort_in(
        CohortState.COMPLETED, project=project, number=2,
        starts_on=later_end - timedelta(weeks=8), ends_on=later_end,
    )  # fmt: skip
    HandoverDossier.objects.create(
        cohort=second, state=DossierState.APPROVED, public_summary="Tweede groep.",
        decided_at=timezone.now(),
    )  # fmt: skip
    completed("Eén groep", public_summary="Wat we vonden.", ended_weeks_ago=3)

    response = knowledge(client)

    assert titles(response) == ["Twee groepen", "Eén groep"]
    text = text_of(response)
    assert text.index("Tweede groep.") < text.index("Eerste groep.")
