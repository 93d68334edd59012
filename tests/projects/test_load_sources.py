"""The load cohorts put on partners and neighbourhoods, as partners.load sees it."""

from datetime import date

import pytest

from partners.load import neighbourhood_loads, organisation_loads
from projects.enums import CohortState as S
from tests.projects.cohort_factories import cohort_in, neighbourhood, organisation, project_of
from tests.projects.factories import ProjectFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

HOSTING = [S.OPEN, S.CLOSED, S.RUNNING, S.HANDOVER]
NOT_HOSTING = [S.PLANNED, S.COMPLETED, S.CANCELLED]


def test_an_organisation_hosts_its_open_to_handover_cohorts_only():
    library = organisation(budget=3, name="Bibliotheek Noord")
    other = organisation(budget=3, name="Woonzorg")
    for state in HOSTING + NOT_HOSTING:
        cohort_in(state, project=project_of(library))
    cohort_in(S.RUNNING, project=project_of(other))

    loads = organisation_loads([library, other])

    assert {pk: (load.name, load.current, load.budget) for pk, load in loads.items()} == {
        library.pk: ("Bibliotheek Noord", 4, 3),
        other.pk: ("Woonzorg", 1, 3),
    }


def test_a_project_with_two_partners_weighs_on_both():
    library, welfare = organisation(name="Bibliotheek"), organisation(name="Welzijn")
    project = project_of(library)
    project.organisations.add(welfare)
    cohort_in(S.OPEN, project=project)
    cohort_in(S.RUNNING, project=project)

    loads = organisation_loads([library, welfare])

    assert {pk: load.current for pk, load in loads.items()} == {library.pk: 2, welfare.pk: 2}


def test_organisation_loads_cost_the_same_queries_for_one_or_many(django_assert_num_queries):
    organisations = [organisation(budget=2) for _ in range(6)]
    for each in organisations:
        cohort_in(S.OPEN, project=project_of(each))

    with django_assert_num_queries(2):  # waiting challenges + this source
        one = organisation_loads(organisations[:1])
    with django_assert_num_queries(2):
        six = organisation_loads(organisations)

    assert [load.current for load in one.values()] == [1]
    assert [load.current for load in six.values()] == [1] * 6


def test_a_neighbourhoods_contacts_add_up_per_month_over_hosting_cohorts():
    kooi = neighbourhood(name="De Kooi", budget=30)
    elsewhere = neighbourhood(name="Merenwijk", budget=30)
    host = organisation(budget=10)
    # March and April, six contacts a month.
    cohort_in(
        S.RUNNING,
        project=project_of(host, contacts=6, neighbourhood=kooi),
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 4, 23),
    )
    # From the last day of April into May, four a month.
    cohort_in(
        S.OPEN,
        project=project_of(host, contacts=4, neighbourhood=kooi),
        starts_on=date(2027, 4, 30),
        ends_on=date(2027, 6, 4),
    )
    for state in NOT_HOSTING:
        cohort_in(
            state,
            project=project_of(host, contacts=9, neighbourhood=kooi),
            starts_on=date(2027, 3, 1),
            ends_on=date(2027, 4, 23),
        )
    cohort_in(
        S.RUNNING,
        project=project_of(host, contacts=5, neighbourhood=elsewhere),
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 4, 23),
    )

    per_month = {
        month: {
            load.name: load.current
            for load in neighbourhood_loads([kooi, elsewhere], month).values()
        }
        for month in [date(2027, m, 1) for m in range(2, 8)]
    }

    assert per_month == {
        date(2027, 2, 1): {"De Kooi": 0, "Merenwijk": 0},
        date(2027, 3, 1): {"De Kooi": 6, "Merenwijk": 5},
        date(2027, 4, 1): {"De Kooi": 10, "Merenwijk": 5},
        date(2027, 5, 1): {"De Kooi": 4, "Merenwijk": 0},
        date(2027, 6, 1): {"De Kooi": 4, "Merenwijk": 0},
        date(2027, 7, 1): {"De Kooi": 0, "Merenwijk": 0},
    }


def test_a_month_given_mid_month_counts_the_whole_month():
    kooi = neighbourhood(name="De Kooi")
    cohort_in(
        S.CLOSED,
        project=project_of(organisation(), contacts=3, neighbourhood=kooi),
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 4, 2),
    )

    assert neighbourhood_loads([kooi], date(2027, 4, 20))[kooi.pk].current == 3


def test_projects_without_a_neighbourhood_weigh_on_none(django_assert_num_queries):
    kooi = neighbourhood(name="De Kooi")
    cohort_in(S.RUNNING, project=ProjectFactory(neighbourhood=None), starts_on=date(2027, 3, 1))

    with django_assert_num_queries(2):  # waiting challenges + this source
        loads = neighbourhood_loads([kooi], date(2027, 3, 1))

    assert loads[kooi.pk].current == 0
