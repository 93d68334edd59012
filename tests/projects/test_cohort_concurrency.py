"""Two coordinators open two groups of one partner at the same moment, through the admin.

The partner can host one team. With the lock on the organisation the second opening waits
for the first, then counts it and is refused: one group opens. The control run switches
the lock off and widens the window between counting and writing: both open, and the
partner hosts two teams without anyone deciding so, which shows the lock is what prevents it.
"""

import threading
import urllib.parse
import urllib.request

import pytest
from django.test import Client

from projects.enums import CohortState
from projects.models import Cohort, CohortLogEntry
from tests.factories import CoordinatorFactory
from tests.projects.cohort_factories import cohort_in, organisation, project_of

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

CSRF = "c" * 32  # Django accepts the unmasked 32-character secret in form and cookie
COHORTS = "/beheer/projects/cohort/"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def open_cohort(base_url: str, session: str, cohort_id: int) -> int:
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": CSRF,
            "action": "open_cohorts",
            "_selected_action": cohort_id,
            "apply": "1",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (our own live server)
        f"{base_url}{COHORTS}",
        data=body,
        headers={
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "Referer": f"{base_url}{COHORTS}",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        # Both must really reach the action; a session problem would land on the login page.
        assert response.geturl() == f"{base_url}{COHORTS}"
        return response.status


def race(live_server, cohorts: list[Cohort]) -> list[int]:
    sessions = [session_cookie(CoordinatorFactory()) for _ in cohorts]
    start = threading.Barrier(len(cohorts))
    statuses: list[int] = []

    def act(session, cohort):
        start.wait()
        statuses.append(open_cohort(live_server.url, session, cohort.pk))

    threads = [
        threading.Thread(target=act, args=pair) for pair in zip(sessions, cohorts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


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
