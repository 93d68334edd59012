"""Meet & Match, end to end in the browser: a researcher registers, the coordinator builds
and publishes the schedule in the admin, the researcher reads their own schedule, downloads
it as a calendar file and, after the event, plans a follow-up with someone they met.

Each person has a browser of their own, starts on the home page and follows links; every
page is checked with axe, the admin pages under /beheer/ included.
"""

from datetime import timedelta

import icalendar
import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.enums import EventState, RegistrationState
from events.models import Event, FollowUp, MeetingSeat, Registration
from tests.e2e.people import menu
from tests.e2e.scenes import meet_and_match_scene
from tests.e2e.steps import dutch_date, follow, messages, open_browser
from tests.e2e.words import DUTCH

pytestmark = [pytest.mark.e2e]

# How the schedule names each person's role: Bram comes from a partner organisation, the
# others come as researchers.
ROLE = {"Bram Bos": "Medewerker van een maatschappelijke organisatie"}
PLACE = "Op Locatie, Leiden-Noord"


def run_admin_action(page: Page, a11y, event: Event, action: str) -> None:
    """Tick the event in the admin's list, choose the action and run it."""
    page.get_by_role(
        "checkbox", name=f"Selecteer dit object voor een actie - {event.title}"
    ).check()
    page.get_by_label("Actie:").select_option(label=action)
    page.get_by_role("button", name="Uitvoeren").click()
    page.wait_for_load_state()
    a11y.check(page)


def local(value) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def test_researcher_registers_gets_a_schedule_and_plans_a_follow_up(new_context, a11y):
    scene = meet_and_match_scene()
    event = scene.event
    title = event.title

    # Rachid finds the Meet & Match from the main menu and registers.
    rachid = open_browser(new_context, a11y, scene.researcher.email)
    follow(
        rachid, a11y, menu(rachid, DUTCH).get_by_role("link", name="Meet & Match"), "Meet & Match"
    )
    follow(rachid, a11y, rachid.get_by_role("link", name=title), title)
    rachid.get_by_role("group", name="Je komt als").get_by_label("Onderzoeker", exact=True).check()
    rachid.get_by_label("Wat je meebrengt").fill("Onderzoek naar eenzaamheid onder ouderen.")
    rachid.get_by_label("Wat je zoekt").fill("Een buurthuis dat wil meedoen.")
    rachid.get_by_label("Eenzaamheid", exact=True).check()
    rachid.get_by_label("Anderen mogen mijn naam zien en mij kiezen").check()
    rachid.get_by_role("group", name="Mensen die je wilt ontmoeten").get_by_label(
        "Bram Bos"
    ).check()
    rachid.get_by_role("button", name=f"Aanmelden {title}").click()
    expect(rachid.get_by_role("heading", name="Je aanmelding")).to_be_visible()
    a11y.check(rachid)
    assert rachid.locator("#mijn-aanmelding .panel > p").first.inner_text() == "Je hebt een plek."
    registration = Registration.objects.get(event=event, person=scene.researcher)
    assert (
        registration.state,
        registration.role_at_event,
        registration.listed,
        [r.person.name for r in registration.wants_to_meet.all()],
        [t.name for t in registration.themes.all()],
    ) == (RegistrationState.REGISTERED, "researcher", True, ["Bram Bos"], ["Eenzaamheid"])

    # Cora closes registration, builds the schedule, looks at it and publishes it.
    cora = open_browser(new_context, a11y, scene.coordinator.email)
    cora.get_by_role("link", name="Beheer").click()
    a11y.check(cora)
    cora.get_by_role("link", name="Meet & Match-bijeenkomsten").click()
    a11y.check(cora)
    run_admin_action(cora, a11y, event, "Aanmelding sluiten")
    assert messages(cora) == ["Aanmelding sluiten: 1 Meet & Match klaar."]
    run_admin_action(cora, a11y, event, "Rooster maken")
    # Four people, three rounds at two tables for two: everyone meets everyone once.
    assert messages(cora) == [
        f"{title}: rooster gemaakt met 6 gesprekken. Controleer het en publiceer het daarna."
    ]
    follow(
        cora,
        a11y,
        cora.get_by_role("link", name="rooster gemaakt met 6 gesprekken"),
        f"Rooster van {title}",
    )
    cora.go_back()
    run_admin_action(cora, a11y, event, "Rooster publiceren en mailen")
    expect(cora.get_by_role("heading", level=1)).to_have_text("Rooster publiceren en mailen")
    cora.get_by_role("button", name="Rooster publiceren en mailen").click()
    cora.wait_for_load_state()
    a11y.check(cora)
    assert messages(cora) == [f"{title}: rooster gepubliceerd en gemaild naar 4 mensen."]
    event.refresh_from_db()
    assert (event.state, event.sequence) == (EventState.SCHEDULED, 1)

    # Rachid reads his own schedule: the rounds, tables and people the database holds.
    follow(
        rachid, a11y, menu(rachid, DUTCH).get_by_role("link", name="Meet & Match"), "Meet & Match"
    )
    follow(rachid, a11y, rachid.get_by_role("link", name="Mijn Meet & Match"), "Mijn Meet & Match")
    follow(
        rachid,
        a11y,
        rachid.get_by_role("link", name=f"Mijn rooster {title}"),
        f"Mijn rooster voor {title}",
    )
    seats = MeetingSeat.objects.filter(registration=registration).select_related("meeting")
    length = timedelta(minutes=event.minutes_per_round)

    def round_start(number: int):
        return event.first_round_at + length * (number - 1)

    expected = []
    for seat in seats.order_by("round"):
        start = round_start(seat.round)
        others = (
            Registration.objects.filter(seats__meeting=seat.meeting)
            .exclude(pk=registration.pk)
            .select_related("person")
        )
        expected.append(
            [
                str(seat.round),
                f"{local(start)}\N{EN DASH}{local(start + length)}",
                str(seat.meeting.table),
                "\n\n".join(
                    f"{o.person.name} ({ROLE.get(o.person.name, 'Onderzoeker')}): {o.brings}"
                    for o in others
                ),
                seat.meeting.reason,
            ]
        )
    rows = rachid.locator("table.my-schedule tbody tr")
    assert [row.locator("td").all_inner_texts() for row in rows.all()] == expected
    met = sorted(row[3].split(" (")[0] for row in expected)
    assert met == ["Bram Bos", "Carla Claes", "Dirk Dekker"]

    # He puts his schedule in his calendar: the event, and each of his meetings.
    with rachid.expect_download() as download_info:
        rachid.get_by_role("link", name="Zet mijn rooster in mijn agenda (.ics-bestand)").click()
    download = download_info.value
    assert download.suggested_filename == f"{event.slug}-mijn-rooster.ics"
    calendar = icalendar.Calendar.from_ical(download.path().read_bytes())
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    assert [
        (
            str(vevent["UID"]),
            str(vevent["SUMMARY"]),
            vevent.decoded("DTSTART"),
            vevent.decoded("DTEND"),
            str(vevent["LOCATION"]),
            vevent["SEQUENCE"],
        )
        for vevent in calendar.walk("VEVENT")
    ] == [
        (f"event-{event.pk}@{domain}", title, event.starts_at, event.ends_at, PLACE, 1),
        *(
            (
                f"meeting-{registration.pk}-round-{seat.round}@{domain}",
                f"{title}: ronde {seat.round}, tafel {seat.meeting.table}",
                round_start(seat.round),
                round_start(seat.round) + length,
                PLACE,
                1,
            )
            for seat in seats.order_by("round")
        ),
    ]

    # The Meet & Match takes place: the clock moves past its end.
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        registration_deadline=now - timedelta(days=8),
        starts_at=now - timedelta(hours=3),
        first_round_at=now - timedelta(hours=2, minutes=30),
        ends_at=now - timedelta(hours=1),
    )

    # Afterwards Rachid comes back to his schedule and plans a follow-up with Bram.
    rachid.reload()
    a11y.check(rachid)
    follow(
        rachid, a11y, rachid.get_by_role("link", name="Vervolgafspraak plannen"), "Vervolgafspraken"
    )
    bram_meeting = seats.get(meeting__seats__registration__person__name="Bram Bos").meeting
    card = rachid.locator(f"#gesprek-{bram_meeting.pk}")
    planned_on = timezone.localdate() + timedelta(days=14)
    expect(card.get_by_label("Met wie")).to_have_value(str(scene.others[0].person.pk))
    card.get_by_label("Datum van de volgende afspraak (niet verplicht)").fill(
        planned_on.isoformat()
    )
    card.get_by_label("Wat willen jullie samen doen? (niet verplicht)").fill(
        "Wie komt er niet naar de koffieochtend, en waarom?"
    )
    card.get_by_role("button", name="Hier wil ik mee verder: opslaan").click()
    expect(rachid.get_by_role("status")).to_have_text("Je vervolgafspraak is opgeslagen.")
    a11y.check(rachid)
    card = rachid.locator(f"#gesprek-{bram_meeting.pk}")
    assert card.locator("dl.facts dd").all_inner_texts() == [
        f"{dutch_date(planned_on)} · met Bram Bos"
    ]
    follow_up = FollowUp.objects.get(registration=registration)
    assert (follow_up.meeting, follow_up.with_person, follow_up.planned_on, follow_up.note) == (
        bram_meeting,
        scene.others[0].person,
        planned_on,
        "Wie komt er niet naar de koffieochtend, en waarom?",
    )
