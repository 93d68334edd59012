"""A partner organisation's public page: who they are, their public challenges and their
completed projects. Organisations that chose not to be public do not exist here."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.enums import ChallengeState
from projects.enums import CohortState, DossierState
from projects.models import HandoverDossier
from tests.factories import NeighbourhoodFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.cohort_factories import cohort_in, project_of
from tests.projects.factories import ChallengeFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CAST = ["student", "partner_member", "other_partner_member", "researcher", "coordinator"]


@pytest.fixture
def client(client):
    client.cookies["lms_language"] = "en"
    return client


def text_of(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.text)
    return " ".join(html.unescape(body).split())


def page(client, organisation):
    return client.get(reverse("partners:organisation-public", args=[organisation.slug]))


def completed_project(organisation, title: str, *, public_summary: str, weeks_ago: int = 4):
    project = project_of(organisation, title=title, summary="Wat de groep deed.")
    ends_on = timezone.localdate() - timedelta(weeks=weeks_ago)
    cohort = cohort_in(
        CohortState.COMPLETED, project=project, number=1,
        starts_on=ends_on - timedelta(weeks=8), ends_on=ends_on,
    )  # fmt: skip
    HandoverDossier.objects.create(
        cohort=cohort,
        state=DossierState.APPROVED,
        decided_at=timezone.now(),
        public_summary=public_summary,
        advice="Intern advies: bel eerst Jan.",
    )
    return project


@pytest.fixture
def library():
    library = OrganisationFactory(
        name="Bibliotheek Leiden",
        slug="bibliotheek-leiden",
        description="Wij maken lezen makkelijk.",
        website="https://www.bibliotheekleiden.nl",
    )
    library.neighbourhoods.add(NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord"))
    return library


def test_public_organisation_shows_who_they_are_and_their_public_work(client, library):
    ChallengeFactory(organisation=library, title="Voorlezen thuis", is_public=True,
                     state=ChallengeState.ACCEPTED)  # fmt: skip
    ChallengeFactory(organisation=library, title="Niet openbaar", is_public=False,
                     state=ChallengeState.ACCEPTED)  # fmt: skip
    ChallengeFactory(organisation=library, title="Nog een concept", is_public=True,
                     state=ChallengeState.DRAFT, submitted_at=None)  # fmt: skip
    completed_project(library, "Taalcafé", public_summary="Bewoners oefenden samen.")
    running = project_of(library, title="Loopt nog")
    cohort_in(CohortState.RUNNING, project=running)

    text = text_of(page(client, library))

    assert "Bibliotheek Leiden" in text
    assert "Wij maken lezen makkelijk." in text
    assert "Website https://www.bibliotheekleiden.nl" in text
    assert "Works in Leiden-Noord" in text
    assert "Voorlezen thuis" in text
    assert "Niet openbaar" not in text
    assert "Nog een concept" not in text
    assert "Taalcafé" in text
    assert "Bewoners oefenden samen." in text
    assert "Loopt nog" not in text
    assert "Intern advies" not in text


def test_public_organisation_without_public_work_says_so(client, library):
    text = text_of(page(client, library))

    assert "This organisation has no public challenges yet." in text
    assert "No completed projects yet." in text


@pytest.mark.parametrize("who", ["anonymous", *CAST])
@pytest.mark.parametrize("fields", [{"is_public": False}, {"is_verified": False}])
def test_public_organisation_hidden_or_unverified_is_404_for_everyone(client, request, who, fields):
    organisation = OrganisationFactory(slug="besloten", **fields)
    if who != "anonymous":
        user = request.getfixturevalue(who)
        if who == "partner_member":
            # Even its own members: they have the organisation's own pages.
            MembershipFactory(user=user, organisation=organisation)
        client.force_login(user)

    assert page(client, organisation).status_code == 404


def test_public_organisation_unknown_slug_is_404(client, db):
    assert client.get("/organisaties/bestaat-niet/").status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_public_organisation_query_count_does_not_grow(
    client, library, count, django_assert_num_queries
):
    for n in range(count):
        ChallengeFactory(organisation=library, title=f"Vraag {n}", is_public=True,
                         state=ChallengeState.ACCEPTED)  # fmt: skip
        completed_project(library, f"Project {n}", public_summary="Wat we vonden.")

    # The organisation and its neighbourhoods; the challenges, their themes and
    # neighbourhoods; the completed projects, their public dossiers and public products.
    with django_assert_num_queries(8):
        response = page(client, library)

    assert text_of(response).count("Wat we vonden.") == count
