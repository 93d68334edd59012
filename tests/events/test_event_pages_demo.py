"""The demo events behind the Meet & Match pages: one held, one open, real-looking people who
can log in, some listed and some not; safe to run twice."""

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.demo import demo_password
from accounts.models import User
from events.demo import DEMO_RESEARCHER_EMAIL, PAST_SLUG, UPCOMING_SLUG, seed_events
from events.enums import EventState
from events.models import OP_LOCATIE, Event, EventLogEntry, Registration
from events.selectors import visible_registrations
from partners import demo as partners_demo
from partners.demo_organisations import seed_organisations

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def seeded():
    partners_demo.seed()
    accounts_demo.seed_institutions()
    accounts_demo.seed_users()
    seed_organisations()


def counts():
    return tuple(model.objects.count() for model in (Event, Registration, User, EventLogEntry))


def test_seed_events_is_idempotent(seeded):
    first = seed_events()
    after_first = counts()
    second = seed_events()

    assert (first, second) == (2, 0)
    assert counts() == after_first


def test_demo_events_are_one_held_and_one_open_at_op_locatie(seeded):
    seed_events()
    now = timezone.now()

    past, upcoming = Event.objects.get(slug=PAST_SLUG), Event.objects.get(slug=UPCOMING_SLUG)

    assert (past.state, past.ends_at < now, past.venue) == (EventState.HELD, True, OP_LOCATIE)
    assert (upcoming.state, upcoming.registration_deadline > now, upcoming.venue) == (
        EventState.PUBLISHED,
        True,
        OP_LOCATIE,
    )


def test_demo_registrations_include_the_demo_researcher_and_unlisted_people(seeded):
    seed_events()

    for slug in (PAST_SLUG, UPCOMING_SLUG):
        event = Event.objects.get(slug=slug)
        everyone = event.registrations.count()
        listed = visible_registrations(event).count()
        assert 0 < listed < everyone
        assert event.registrations.filter(person__email=DEMO_RESEARCHER_EMAIL).count() == 1
    mine = Registration.objects.get(event__slug=UPCOMING_SLUG, person__email=DEMO_RESEARCHER_EMAIL)
    assert [r.person.name for r in mine.wants_to_meet.all()] == ["Joost van der Meer"]


def test_demo_researchers_can_log_in(seeded, client):
    seed_events()
    email = "sanjay.ramdin@demo.lerenmetdestad.nl"

    assert EmailAddress.objects.get(email=email).verified is True
    assert client.login(email=email, password=demo_password(email)) is True
