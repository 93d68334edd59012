"""Two coordinators save a schedule by hand at the same moment.

schedule_save replaces the event's meetings under the event's row lock, so one save waits
for the other and the schedule ends up as one of the two, whole. The control test switches
the lock off and widens the window between checking and writing: the second save then
collides with the first one's tables and fails.
"""

import pytest

from events.enums import EventState
from events.models import Meeting
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import CoordinatorFactory, ResearcherFactory
from tests.support.live_requests import post_all_at_once, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def event_and_two_schedules():
    event = EventFactory(
        state=EventState.REGISTRATION_CLOSED, rounds=2, tables=2, seats_per_table=2
    )
    a, b, c, d = (
        RegistrationFactory(event=event, person=ResearcherFactory(name=name))
        for name in ("Anna", "Bram", "Carla", "Dirk")
    )
    first = {"seat-1-1-1": a.pk, "seat-1-1-2": b.pk, "seat-1-2-1": c.pk, "seat-1-2-2": d.pk}
    second = {"seat-1-1-1": a.pk, "seat-1-1-2": c.pk, "seat-1-2-1": b.pk, "seat-1-2-2": d.pk}
    return event, first, second


def save_both(live_server, event, first, second):
    path = f"/meet-and-match/{event.slug}/rooster/bewerken/"
    one, two = CoordinatorFactory(), CoordinatorFactory()
    return post_all_at_once(
        live_server.url,
        [(session_cookie(one), path, first), (session_cookie(two), path, second)],
    )


def schedule_of(event) -> list[tuple[int, int, list[str]]]:
    return [
        (m.round, m.table, sorted(s.registration.person.name for s in m.seats.all()))
        for m in Meeting.objects.filter(event=event)
        .order_by("round", "table")
        .prefetch_related("seats__registration__person")
    ]


def test_two_saves_at_once_leave_one_whole_schedule(live_server, settings):
    settings.RACE_WINDOW_SECONDS = 0.3
    event, first, second = event_and_two_schedules()

    answers = save_both(live_server, event, first, second)

    grid = f"{live_server.url}/meet-and-match/{event.slug}/rooster/"
    assert [a.final_url for a in answers if a is not None] == [grid, grid]
    assert schedule_of(event) in (
        [(1, 1, ["Anna", "Bram"]), (1, 2, ["Carla", "Dirk"])],
        [(1, 1, ["Anna", "Carla"]), (1, 2, ["Bram", "Dirk"])],
    )


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_without_the_lock_the_second_save_collides(live_server, settings):
    settings.ROW_LOCKS_ENABLED = False
    # Wide enough that both requests are inside it, however the two threads start, also on
    # a machine busy with other work (1 s was once too short there).
    settings.RACE_WINDOW_SECONDS = 2.5
    event, first, second = event_and_two_schedules()

    answers = save_both(live_server, event, first, second)

    # One request died on the database's unique key for (event, round, table): a server error.
    assert answers.count(None) == 1
