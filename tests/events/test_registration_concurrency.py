"""Twenty people click "register" at the same moment for the last three places.

Each test sends simultaneous requests to the live server. The control test switches the row
locks off and widens the window between counting and inserting, to show that the race is
real and that the event's lock is what prevents it.
"""

import pytest
from django.db.models import Max, Min

from events.enums import RegistrationState as R
from events.models import Registration
from events.selectors import waitlist_position
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import ResearcherFactory
from tests.support.live_requests import post_all_at_once, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

PEOPLE = 20
CAPACITY = 5
ALREADY_IN = 2  # so three places are left


def event_with_three_places_left():
    event = EventFactory(capacity=CAPACITY)
    RegistrationFactory.create_batch(ALREADY_IN, event=event)
    return event


def register_all(live_server, event, people):
    path = f"/meet-and-match/{event.slug}/aanmelden/"
    form = {"role_at_event": "researcher", "brings": "Onderzoek.", "seeks": "Een partner."}
    return post_all_at_once(live_server.url, [(session_cookie(p), path, form) for p in people])


def test_twenty_registrations_at_once_fill_the_last_three_places_and_queue_the_rest(
    live_server, settings
):
    settings.RACE_WINDOW_SECONDS = 0.05
    event = event_with_three_places_left()
    people = ResearcherFactory.create_batch(PEOPLE)

    answers = register_all(live_server, event, people)

    assert {a.final_url for a in answers} == {f"{live_server.url}/meet-and-match/{event.slug}/"}
    newcomers = Registration.objects.filter(event=event, person__in=people)
    assert newcomers.filter(state=R.REGISTERED).count() == CAPACITY - ALREADY_IN
    assert newcomers.filter(state=R.WAITLISTED).count() == PEOPLE - (CAPACITY - ALREADY_IN)
    assert Registration.objects.filter(event=event, state=R.REGISTERED).count() == CAPACITY
    # Places went to the first served; the queue follows in the order they were served.
    last_in = newcomers.filter(state=R.REGISTERED).aggregate(t=Max("queued_at"))["t"]
    first_waiting = newcomers.filter(state=R.WAITLISTED).aggregate(t=Min("queued_at"))["t"]
    assert last_in < first_waiting
    waiting = newcomers.filter(state=R.WAITLISTED).order_by("queued_at", "pk")
    assert [waitlist_position(r) for r in waiting] == list(range(1, PEOPLE - 2))


def test_without_the_lock_the_event_overflows(live_server, settings):
    settings.ROW_LOCKS_ENABLED = False
    settings.RACE_WINDOW_SECONDS = 0.3
    event = event_with_three_places_left()

    people = ResearcherFactory.create_batch(PEOPLE)

    register_all(live_server, event, people)

    # More than the three places left went to the newcomers: the event is over capacity.
    newcomers = Registration.objects.filter(event=event, person__in=people, state=R.REGISTERED)
    assert newcomers.count() > CAPACITY - ALREADY_IN
