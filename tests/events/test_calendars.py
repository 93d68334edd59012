"""Calendar files, parsed back with icalendar: UID, SEQUENCE, status, link, alarm and time zone;
and the personal feed behind its secret address."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation

from events.enums import EventState as S
from events.enums import RegistrationState as R
from events.models import CalendarFeed, Meeting, MeetingSeat
from events.services.lifecycle import EventAction, event_transition
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.challenge_setup import speaks_english

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SITE = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def parse(response) -> icalendar.Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def summer_event(**extra):
    # 15:00 in Leiden in summer is 13:00 UTC: the file must say 15:00 Europe/Amsterdam.
    starts = datetime(2031, 6, 12, 15, 0, tzinfo=AMSTERDAM)
    return EventFactory(
        slug="zomer",
        title="Meet & Match zomer",
        description="Korte gesprekken.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_deadline=starts - timedelta(days=7),
        venue="Op Locatie, Leiden-Noord",
        **extra,
    )


def fields(vevent) -> dict:
    return {
        "uid": str(vevent["UID"]),
        "summary": str(vevent["SUMMARY"]),
        "start": vevent.start,
        "end": vevent.end,
        "tzid": vevent["DTSTART"].params["TZID"],
        "sequence": vevent.sequence,
        "status": str(vevent["STATUS"]),
        "url": str(vevent["URL"]),
        "location": str(vevent["LOCATION"]),
        "alarms": [(str(a["ACTION"]), a["TRIGGER"].dt) for a in vevent.walk("VALARM")],
    }


def test_event_ics_has_a_stable_uid_sequence_link_alarm_and_amsterdam_time(client):
    event = summer_event(sequence=2)

    calendar = parse(client.get("/meet-and-match/zomer/agenda.ics"))

    [vevent] = calendar.events
    assert fields(vevent) == {
        "uid": f"event-{event.pk}@127.0.0.1",
        "summary": "Meet & Match zomer",
        "start": datetime(2031, 6, 12, 15, 0, tzinfo=AMSTERDAM),
        "end": datetime(2031, 6, 12, 17, 0, tzinfo=AMSTERDAM),
        "tzid": "Europe/Amsterdam",
        "sequence": 2,
        "status": "CONFIRMED",
        "url": f"{SITE}/meet-and-match/zomer/",
        "location": "Op Locatie, Leiden-Noord",
        "alarms": [("DISPLAY", -timedelta(hours=1))],
    }
    assert [str(tz["TZID"]) for tz in calendar.timezones] == ["Europe/Amsterdam"]
    assert str(vevent["DESCRIPTION"]) == f"Korte gesprekken.\n\n{SITE}/meet-and-match/zomer/"


def test_event_ics_of_a_cancelled_event_keeps_its_uid_and_says_cancelled(client, coordinator):
    event = summer_event(sequence=0)
    before = parse(client.get("/meet-and-match/zomer/agenda.ics")).events[0]

    event_transition(
        event_id=event.pk, action=EventAction.CANCEL, actor=coordinator, message="Zaal dicht."
    )

    after = parse(client.get("/meet-and-match/zomer/agenda.ics")).events[0]
    assert (str(after["UID"]), after.sequence, str(after["STATUS"])) == (
        str(before["UID"]),
        1,
        "CANCELLED",
    )


def test_event_ics_of_a_draft_is_not_found(client):
    summer_event(state=S.DRAFT)

    assert client.get("/meet-and-match/zomer/agenda.ics").status_code == 404


# --- My schedule as a file ----------------------------------------------------------------------


def scheduled_summer_event():
    """An event whose schedule is published, rounds of 15 minutes from 15:30."""
    return summer_event(
        state=S.SCHEDULED,
        sequence=1,
        minutes_per_round=15,
        first_round_at=datetime(2031, 6, 12, 15, 30, tzinfo=AMSTERDAM),
        schedule_published_at=datetime(2031, 6, 5, 12, 0, tzinfo=AMSTERDAM),
    )


def test_my_schedule_file_holds_the_event_and_my_meetings_with_the_feeds_uids(client, researcher):
    speaks_english(researcher)  # pages, and so the file, follow the person's language
    event = scheduled_summer_event()
    mine = RegistrationFactory(event=event, person=researcher)
    other = RegistrationFactory(event=event)
    meeting = Meeting.objects.create(event=event, round=2, table=4)
    MeetingSeat.objects.create(meeting=meeting, registration=mine, round=2)
    MeetingSeat.objects.create(meeting=meeting, registration=other, round=2)
    client.force_login(researcher)

    response = client.get("/meet-and-match/zomer/mijn-rooster.ics")

    assert response["Content-Disposition"] == 'attachment; filename="zomer-mijn-rooster.ics"'
    assert response["Cache-Control"] == "private, no-store"
    calendar = parse(response)
    assert str(calendar["X-WR-CALNAME"]) == "Meet & Match zomer: my schedule"
    event_entry, meeting_entry = calendar.events
    assert str(event_entry["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert fields(meeting_entry) == {
        "uid": f"meeting-{mine.pk}-round-2@127.0.0.1",
        "summary": "Meet & Match zomer: round 2, table 4",
        "start": datetime(2031, 6, 12, 15, 45, tzinfo=AMSTERDAM),
        "end": datetime(2031, 6, 12, 16, 0, tzinfo=AMSTERDAM),
        "tzid": "Europe/Amsterdam",
        "sequence": 1,
        "status": "CONFIRMED",
        "url": f"{SITE}/meet-and-match/zomer/mijn-rooster/",
        "location": "Op Locatie, Leiden-Noord",
        "alarms": [("DISPLAY", -timedelta(minutes=5))],
    }
    # Never the other people: the file says where and when, the page says with whom.
    assert other.person.name not in response.content.decode()


def test_my_schedule_file_is_not_found_without_a_seat_or_before_publishing(client, researcher):
    event = scheduled_summer_event()
    RegistrationFactory(event=event, person=researcher)  # registered, but seated nowhere
    client.force_login(researcher)

    without_seat = client.get("/meet-and-match/zomer/mijn-rooster.ics")
    event.schedule_published_at = None
    event.state = S.REGISTRATION_CLOSED
    event.save(update_fields=["schedule_published_at", "state"])
    unpublished = client.get("/meet-and-match/zomer/mijn-rooster.ics")

    assert (without_seat.status_code, unpublished.status_code) == (404, 404)


# --- The personal feed --------------------------------------------------------------------------


def feed_of(person) -> CalendarFeed:
    return CalendarFeed.objects.create(person=person, token="geheim-" + "x" * 20)


def test_feed_lists_my_events_and_my_meetings_in_their_rounds(client, researcher):
    # The feed speaks its owner's language; this one reads English.
    researcher.language = "en"
    researcher.save(update_fields=["language"])
    event = summer_event(
        minutes_per_round=15, first_round_at=datetime(2031, 6, 12, 15, 30, tzinfo=AMSTERDAM)
    )
    mine = RegistrationFactory(event=event, person=researcher)
    other = RegistrationFactory(event=event, listed=False)
    meeting = Meeting.objects.create(event=event, round=3, table=7)
    MeetingSeat.objects.create(meeting=meeting, registration=mine, round=3)
    MeetingSeat.objects.create(meeting=meeting, registration=other, round=3)
    feed_of(researcher)

    calendar = parse(client.get("/agenda/geheim-xxxxxxxxxxxxxxxxxxxx.ics"))

    event_entry, meeting_entry = calendar.events
    assert str(event_entry["UID"]) == f"event-{event.pk}@127.0.0.1"
    assert fields(meeting_entry) == {
        "uid": f"meeting-{mine.pk}-round-3@127.0.0.1",
        "summary": "Meet & Match zomer: round 3, table 7",
        "start": datetime(2031, 6, 12, 16, 0, tzinfo=AMSTERDAM),
        "end": datetime(2031, 6, 12, 16, 15, tzinfo=AMSTERDAM),
        "tzid": "Europe/Amsterdam",
        "sequence": 0,
        "status": "CONFIRMED",
        "url": f"{SITE}/meet-and-match/zomer/mijn-rooster/",
        "location": "Op Locatie, Leiden-Noord",
        "alarms": [("DISPLAY", -timedelta(minutes=5))],
    }
    # Only my own entries: the person at my table (not listed) is not in my feed.
    assert (
        other.person.name
        not in client.get("/agenda/geheim-xxxxxxxxxxxxxxxxxxxx.ics").content.decode()
    )


def test_feed_leaves_out_waiting_cancelled_and_draft_events_but_shows_cancelled_events(
    client, researcher
):
    shown = EventFactory(title="Gaat door")
    called_off = EventFactory(title="Afgelast", state=S.CANCELLED, sequence=1)
    for event in (shown, called_off):
        RegistrationFactory(event=event, person=researcher)
    RegistrationFactory(
        event=EventFactory(title="Wachtlijst"), person=researcher, state=R.WAITLISTED
    )
    RegistrationFactory(event=EventFactory(title="Afgemeld"), person=researcher, state=R.CANCELLED)
    RegistrationFactory(event=EventFactory(title="Concept", state=S.DRAFT), person=researcher)
    feed_of(researcher)

    calendar = parse(client.get("/agenda/geheim-xxxxxxxxxxxxxxxxxxxx.ics"))

    assert sorted((str(e["SUMMARY"]), str(e["STATUS"]), e.sequence) for e in calendar.events) == [
        ("Afgelast", "CANCELLED", 1),
        ("Gaat door", "CONFIRMED", 0),
    ]


def test_feed_with_an_unknown_token_is_not_found(client, researcher):
    feed_of(researcher)

    assert client.get("/agenda/geraden.ics").status_code == 404


def test_feed_query_count_does_not_grow_with_events(client, researcher, django_assert_num_queries):
    feed_of(researcher)
    for _ in range(5):
        registration = RegistrationFactory(person=researcher)
        meeting = Meeting.objects.create(event=registration.event, round=1, table=1)
        MeetingSeat.objects.create(meeting=meeting, registration=registration, round=1)

    # The feed with its person; the registrations with their events; the seats with meetings.
    with django_assert_num_queries(3):
        calendar = parse(client.get("/agenda/geheim-xxxxxxxxxxxxxxxxxxxx.ics"))

    assert len(calendar.events) == 10


def test_feed_page_shows_my_address_and_a_new_one_retires_the_old(client, researcher):
    speaks_english(researcher)
    client.force_login(researcher)

    page = client.get("/mijn/meet-and-match/agenda/")
    old = CalendarFeed.objects.get(person=researcher).token
    assert page.context["feed_url"] == f"{SITE}/agenda/{old}.ics"
    assert page.context["webcal_url"] == f"webcal://127.0.0.1:8000/agenda/{old}.ics"
    assert f'value="{SITE}/agenda/{old}.ics"' in page.content.decode()

    reset = client.post("/mijn/meet-and-match/agenda/nieuw-adres/", follow=True)

    new = CalendarFeed.objects.get(person=researcher).token
    assert new != old
    assert [str(m) for m in reset.context["messages"]] == [
        "You have a new calendar address. The old one no longer works: add the new one."
    ]
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    assert client.get(f"/agenda/{new}.ics").status_code == 200


def test_feed_page_asks_visitors_to_log_in(client):
    response = client.get("/mijn/meet-and-match/agenda/")

    assert (response.status_code, response["Location"]) == (
        302,
        reverse("account_login") + "?next=/mijn/meet-and-match/agenda/",
    )
