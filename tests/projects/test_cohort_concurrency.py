"""Two coordinators open two groups of one partner at the same moment, through the admin.

The partner can host one team. With the lock on the organisation the second opening waits
for the first, then counts it and is refused: one group opens. The control run switches
the lock off and widens the window between counting and writing: both open, and the
partner hosts two teams without anyone deciding so, which shows the lock is what prevents it.
"""

import pytest

from projects.enums import CohortState
from projects.models import Cohort, CohortLogEntry
from tests.factories import CoordinatorFactory
from tests.projects.cohort_factories import cohort_in, organisation, project_of
from tests.support.live_requests import post_all_at_once, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

COHORTS = "/beheer/projects/cohort/"


def race(live_server, cohorts: list[Cohort]) -> list[int]:
    """Two coordinators each open one of the groups at the same moment."""
    posts = [
        (
            session_cookie(CoordinatorFactory()),
            COHORTS,
            {"action": "open_cohorts", "_selected_action": cohort.pk, "apply": "1"},
        )
        for cohort in cohorts
    ]
    answers = post_all_at_once(live_server.url, posts)
    # Both must really reach the action; a session problem would land on the login page.
    assert [a.final_url for a in answers] == [f"{live_server.url}{COHORTS}"] * len(cohorts)
    return [a.status for a in answers]


@pytest.fixture
def contested():
    library = organisation(budget=1, name="Bibliotheek Noord")
    return [
        cohort_in(CohortState.PLANNED, project=project_of(library)),
        cohort_in(CohortState.PLANNED, project=project_of(library)),
    ]


def test_two_openings_at_once_respect_the_partners_budget(live_server, settings, contested):
    settings.RACE_WINDOW_SECONDS = 0.5

    statuses = race(live_server, contested)

    assert statuses == [200, 200]
    states = sorted(Cohort.objects.values_list("state", flat=True))
    assert states == [CohortState.OPEN, CohortState.PLANNED]
    assert list(CohortLogEntry.objects.values_list("action", flat=True)) == ["open"]


def test_without_the_lock_both_open_beyond_the_budget(live_server, settings, contested):
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False

    race(live_server, contested)

    states = list(Cohort.objects.values_list("state", flat=True))
    assert states == [CohortState.OPEN, CohortState.OPEN]
