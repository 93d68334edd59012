"""The cards of the discovery page (projects.cards), read in one SQL query: they say what
the database holds, and only the public part of it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.cards import Card, CardPartner, cards
from projects.enums import CohortState, EnrolmentState
from tests.factories import NeighbourhoodFactory, ThemeFactory
from tests.partners.factories import OrganisationFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory, _monday_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_card_holds_the_projects_public_facts_and_its_soonest_open_group():
    hood = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    themes = [
        ThemeFactory(slug="vergroening", name="Vergroening"),
        ThemeFactory(slug="eenzaamheid", name="Eenzaamheid"),
    ]
    public = OrganisationFactory(name="Bibliotheek", address="Nieuwstraat 4", is_public=True)
    hidden = OrganisationFactory(name="Stichting Stil", address="Geheim 1", is_public=False)
    project = ProjectFactory(
        title="Groene binnenplaatsen",
        summary="Tuinen met bewoners.",
        location="Buurthuis De Kooi",
        weekdays=[4, 2],
        neighbourhood=hood,
        themes=themes,
        organisations=[hidden, public],
    )
    later = CohortFactory(project=project, starts_on=_monday_in(8), max_size=6)
    soonest = CohortFactory(project=project, starts_on=_monday_in(4), max_size=3)
    CohortFactory(project=project, starts_on=_monday_in(2), state=CohortState.PLANNED)
    EnrolmentFactory(cohort=soonest)
    EnrolmentFactory(cohort=soonest, state=EnrolmentState.WAITLISTED)
    EnrolmentFactory(cohort=later)

    [card] = cards([project.pk])

    assert card == Card(
        pk=project.pk,
        title="Groene binnenplaatsen",
        slug=project.slug,
        summary="Tuinen met bewoners.",
        location_kind=project.location_kind,
        location="Buurthuis De Kooi",
        csl_level=project.csl_level,
        weekdays=[4, 2],
        neighbourhood_name="Leiden-Noord",
        theme_names=["Eenzaamheid", "Vergroening"],
        public_organisations=[CardPartner(name="Bibliotheek", address="Nieuwstraat 4")],
        next_start=soonest.starts_on,
        next_end=soonest.ends_on,
        next_registration_opens_at=soonest.registration_opens_at,
        next_registration_closes_at=soonest.registration_closes_at,
        # Three places, one member; a waiting student takes no place.
        next_places_left=2,
    )
    assert card.get_absolute_url() == project.get_absolute_url()


def test_a_card_without_an_open_group_or_partners_has_none_of_their_facts():
    project = ProjectFactory(themes=[], organisations=[])
    CohortFactory(project=project, state=CohortState.PLANNED)

    [card] = cards([project.pk])

    assert (card.theme_names, card.public_organisations, card.neighbourhood_name) == ([], [], None)
    assert card.next_start is None
    assert card.next_places_left is None


def test_a_group_over_its_size_has_no_places_left_rather_than_fewer_than_none():
    # The services never let this happen (cohort_update refuses); if a row says so anyway,
    # the card shows no place left, not a negative number.
    group = CohortFactory(max_size=1, registration_closes_at=timezone.now() + timedelta(days=3))
    EnrolmentFactory(cohort=group)
    EnrolmentFactory(cohort=group)

    [card] = cards([group.project.pk])

    assert card.next_places_left == 0


def test_cards_come_in_the_order_of_the_keys_given():
    projects = [ProjectFactory(title=f"Project {n}") for n in range(4)]
    keys = [projects[2].pk, projects[0].pk, projects[3].pk]

    assert [card.title for card in cards(keys)] == ["Project 2", "Project 0", "Project 3"]
    assert cards([]) == []
