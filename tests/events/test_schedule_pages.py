"""The schedule pages: the coordinators' grid and hand-made schedule, each participant's own
schedule, who sees whom, and who may see nothing."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from events.enums import EventState
from events.models import Event, Meeting
from events.schedule_input import ScheduleProposal
from events.services.schedule import schedule_publish, schedule_save
from outbox.models import Message
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.test_schedule_service import closed_event, four_way, meeting, stored
from tests.factories import PartnerMemberFactory, ResearcherFactory
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DASH = "\N{EN DASH}"


@pytest.fixture
def coordinator(coordinator):
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    return coordinator


def english(client):
    client.cookies["django_language"] = "en"
    return client


def as_user(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return english(client)


def rows(response, selector_class: str) -> list[list[str]]:
    table = parse(response.content).find("table", class_=selector_class)
    return [
        [cell.text for cell in tr.find_all() if cell.tag in {"th", "td"}]
        for tr in table.find_all("tr")
    ]


def published(coordinator, people: int = 4, **fields):
    event, registrations = closed_event(people=people, **fields)
    schedule_save(event_id=event.pk, proposal=four_way(*registrations[:4]), actor=coordinator)
    schedule_publish(event_id=event.pk, actor=coordinator)
    return Event.objects.get(pk=event.pk), registrations


def hhmm(moment) -> str:
    return f"{moment.astimezone(AMSTERDAM):%H:%M}"


# --- The coordinators' grid -------------------------------------------------------------


def test_grid_shows_tables_down_and_rounds_across(client, coordinator):
    event, (a, b, c, d, _e) = closed_event(people=5)
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    first = event.first_round_at

    response = as_user(client, coordinator).get(f"/meet-and-match/{event.slug}/rooster/")

    assert rows(response, "schedule-grid") == [
        ["Table", f"Round 1 {hhmm(first)}", f"Round 2 {hhmm(first + timedelta(minutes=15))}"],
        [
            "Table 1",
            "Anna Aalbers (Researcher) Bram Bos (Researcher) Both work on loneliness.",
            "Anna Aalbers (Researcher) Carla Claes (Researcher)",
        ],
        [
            "Table 2",
            "Carla Claes (Researcher) Dirk Dekker (Researcher)",
            "Bram Bos (Researcher) Dirk Dekker (Researcher)",
        ],
        ["Not at a table", "Eva Elst", "Eva Elst"],
    ]
    page = parse(response.content)
    assert page.find("a", href=f"/meet-and-match/{event.slug}/rooster/bewerken/").text == (
        "Change the schedule by hand"
    )
    assert "Not published yet. Only coordinators see this schedule." in page.text


def test_grid_prints_with_the_print_stylesheet_and_no_inline_styles(client, coordinator):
    event, people = closed_event()
    schedule_save(event_id=event.pk, proposal=four_way(*people), actor=coordinator)

    response = as_user(client, coordinator).get(f"/meet-and-match/{event.slug}/rooster/")

    page = parse(response.content)
    assert [link.attrs["href"] for link in page.find_all("link", media="print")] == [
        "/static/css/print.css"
    ]
    assert page.find_all("style") == []
    assert [el.tag for el in page.iter() if "style" in el.attrs] == []
    # The link back to the event is for the screen; print.css hides .no-print.
    assert "no-print" in page.find("p", class_="muted").attrs["class"]


def many_meetings(coordinator, count: int) -> Event:
    """A closed event with `count` meetings for two over four rounds of ten tables."""
    event = EventFactory(
        state=EventState.REGISTRATION_CLOSED, rounds=4, tables=10, seats_per_table=2, capacity=80
    )
    people = [RegistrationFactory(event=event) for _ in range(20)]
    meetings = []
    for n in range(count):
        r, t = divmod(n, 5)
        pair = people[2 * t : 2 * t + 2] if r % 2 == 0 else people[10 + 2 * t : 12 + 2 * t]
        meetings.append(meeting(r + 1, t + 1, *pair))
    schedule_save(event_id=event.pk, proposal=ScheduleProposal.of(meetings), actor=coordinator)
    return event


def test_grid_costs_the_same_queries_for_one_or_twenty_meetings(
    client, coordinator, django_assert_num_queries
):
    one = many_meetings(coordinator, 1)
    twenty = many_meetings(coordinator, 20)
    client = as_user(client, coordinator)
    client.get(f"/meet-and-match/{one.slug}/rooster/")  # warm the template and session caches

    with django_assert_num_queries(6) as first:
        small = client.get(f"/meet-and-match/{one.slug}/rooster/")
    with django_assert_num_queries(len(first)):
        large = client.get(f"/meet-and-match/{twenty.slug}/rooster/")

    assert Meeting.objects.filter(event=one).count() == 1
    assert Meeting.objects.filter(event=twenty).count() == 20
    assert len(rows(small, "schedule-grid")) == len(rows(large, "schedule-grid")) == 12


def test_coordinator_pages_are_not_found_for_anyone_else(client, coordinator, researcher):
    event, people = closed_event()
    staff = PartnerMemberFactory(is_staff=True)
    urls = [
        f"/meet-and-match/{event.slug}/rooster/",
        f"/meet-and-match/{event.slug}/rooster/bewerken/",
    ]

    anonymous = [client.get(url) for url in urls]
    assert [(r.status_code, r.url.split("?")[0]) for r in anonymous] == [
        (302, reverse("account_login"))
    ] * 2
    for user in (staff, researcher, people[0].person):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404]
        assert client.post(urls[1], {"seat-1-1-1": people[0].pk}).status_code == 404
    assert stored(event) == []


# --- Making the schedule by hand --------------------------------------------------------


def test_hand_made_schedule_end_to_end(client, coordinator):
    event, (a, b, c, d) = closed_event()
    client = as_user(client, coordinator)
    url = f"/meet-and-match/{event.slug}/rooster/bewerken/"

    form = parse(client.get(url).content)
    assert [s.attrs["name"] for s in form.find_all("select")] == [
        "seat-1-1-1", "seat-1-1-2", "seat-2-1-1", "seat-2-1-2",
        "seat-1-2-1", "seat-1-2-2", "seat-2-2-1", "seat-2-2-2",
    ]  # fmt: skip
    assert [o.text for o in form.find("select", name="seat-1-1-1").find_all("option")] == [
        "-",
        "Anna Aalbers (Researcher)",
        "Bram Bos (Researcher)",
        "Carla Claes (Researcher)",
        "Dirk Dekker (Researcher)",
    ]
    assert form.find("label", for_="id-seat-2-1-2").text == "Round 2, table 1, seat 2"

    saved = client.post(
        url,
        {
            "seat-1-1-1": a.pk,
            "seat-1-1-2": b.pk,
            "reason-1-1": "Allebei bezig met eenzaamheid.",
            "seat-1-2-1": c.pk,
            "seat-1-2-2": d.pk,
            "seat-2-1-1": a.pk,
            "seat-2-1-2": c.pk,
        },
        follow=True,
    )

    assert saved.redirect_chain == [(f"/meet-and-match/{event.slug}/rooster/", 302)]
    assert [str(m) for m in saved.context["messages"]] == ["The schedule is saved: 3 meetings."]
    assert stored(event) == [
        (1, 1, ["Anna Aalbers", "Bram Bos"]),
        (1, 2, ["Carla Claes", "Dirk Dekker"]),
        (2, 1, ["Anna Aalbers", "Carla Claes"]),
    ]
    assert Meeting.objects.get(event=event, round=1, table=1).reason == (
        "Allebei bezig met eenzaamheid."
    )

    again = parse(client.get(url).content)
    chosen = {
        select.attrs["name"]: [o.text for o in select.find_all("option") if "selected" in o.attrs]
        for select in again.find_all("select")
    }
    assert chosen["seat-2-1-2"] == ["Carla Claes (Researcher)"]
    assert chosen["seat-2-2-1"] == []
    assert again.find("input", name="reason-1-1").attrs["value"] == "Allebei bezig met eenzaamheid."


def test_hand_made_schedule_shows_faults_beside_the_table_and_keeps_the_choices(
    client, coordinator
):
    event, (a, b, c, d) = closed_event()
    b.rather_not_meet.add(c)
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    client = as_user(client, coordinator)

    response = client.post(
        f"/meet-and-match/{event.slug}/rooster/bewerken/",
        {
            "seat-1-1-1": a.pk,
            "seat-1-1-2": b.pk,
            "seat-1-2-1": a.pk,  # Anna twice in round 1
            "seat-1-2-2": d.pk,
            "seat-2-1-1": b.pk,
            "seat-2-1-2": c.pk,  # Bram would rather not meet Carla
            "reason-2-1": "Mijn reden",
        },
    )

    assert response.status_code == 200
    page = parse(response.content)
    assert page.find("div", class_="nonfield").text == (
        "The schedule is not saved. Your choices are still below; see the notes beside the tables."
    )
    errors = {
        ul.attrs["id"]: [li.text for li in ul.find_all("li")]
        for ul in page.find_all("ul", class_="errorlist")
    }
    assert errors == {
        "fout-1-2": ["Anna Aalbers sits twice in round 1: at table 1 and at table 2."],
        "fout-2-1": [
            (
                "Bram Bos and Carla Claes are at table 1 in round 2, but one of them would rather "
                "not meet the other."
            )
        ],
    }
    assert page.find("select", name="seat-1-2-1").attrs["aria-describedby"] == "fout-1-2"
    kept = {
        select.attrs["name"]: [o.text for o in select.find_all("option") if "selected" in o.attrs]
        for select in page.find_all("select")
    }
    assert kept["seat-1-2-1"] == ["Anna Aalbers (Researcher)"]
    assert kept["seat-2-1-2"] == ["Carla Claes (Researcher)"]
    assert page.find("input", name="reason-2-1").attrs["value"] == "Mijn reden"
    # The saved schedule is untouched.
    assert stored(event)[0] == (1, 1, ["Anna Aalbers", "Bram Bos"])
    assert Meeting.objects.filter(event=event).count() == 4


def test_hand_made_schedule_after_publication_mails_the_changes(client, coordinator):
    event, (a, b, c, d) = published(coordinator)
    before = Message.objects.count()

    response = as_user(client, coordinator).post(
        f"/meet-and-match/{event.slug}/rooster/bewerken/",
        {
            "seat-1-1-1": a.pk,
            "seat-1-1-2": b.pk,
            "seat-1-2-1": c.pk,
            "seat-1-2-2": d.pk,
            "seat-2-1-1": a.pk,
            "seat-2-1-2": d.pk,
        },
    )

    assert response.status_code == 302
    assert sorted(m.recipient.name for m in Message.objects.order_by("pk")[before:]) == [
        "Anna Aalbers",
        "Bram Bos",
        "Carla Claes",
        "Dirk Dekker",
    ]
    assert Event.objects.get(pk=event.pk).sequence == 2


# --- Each participant's own schedule ----------------------------------------------------


def test_my_schedule_shows_rounds_times_tables_whom_and_why(client, coordinator):
    event, (a, _b, _c, _d) = published(coordinator)
    first = event.first_round_at

    response = as_user(client, a.person).get(f"/meet-and-match/{event.slug}/mijn-rooster/")

    assert rows(response, "my-schedule") == [
        ["Round", "Time", "Table", "You meet", "Why you meet"],
        [
            "1",
            f"{hhmm(first)}{DASH}{hhmm(first + timedelta(minutes=15))}",
            "1",
            "Bram Bos (Researcher): Bram Bos brengt",
            "Both work on loneliness.",
        ],
        [
            "2",
            f"{hhmm(first + timedelta(minutes=15))}{DASH}{hhmm(first + timedelta(minutes=30))}",
            "1",
            "Carla Claes (Researcher): Carla Claes brengt",
            "-",
        ],
    ]


def test_unlisted_person_is_seen_only_by_those_seated_with_them(client, coordinator):
    event, (a, b, c, d) = closed_event()
    d.listed = False
    d.brings = "Een geheim buurtproject"
    d.save(update_fields=["listed", "brings"])
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    schedule_publish(event_id=event.pk, actor=coordinator)

    def page_of(registration) -> str:
        client.force_login(registration.person)
        response = english(client).get(f"/meet-and-match/{event.slug}/mijn-rooster/")
        return response.content.decode()

    # Dirk sits with Carla in round 1 and with Bram in round 2, never with Anna.
    assert "Dirk Dekker" in page_of(c)
    assert "Een geheim buurtproject" in page_of(b)
    assert "Dirk Dekker" not in page_of(a)
    assert "Een geheim buurtproject" not in page_of(a)
    mail_to_anna = Message.objects.get(recipient=a.person)
    assert "Dirk Dekker" not in mail_to_anna.body_text
    assert "Dirk Dekker" in Message.objects.get(recipient=c.person).body_text


def test_my_schedule_is_not_found_without_a_seat_or_before_publication(client, coordinator):
    event, (a, b, c, d, eva) = closed_event(people=5)
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    url = f"/meet-and-match/{event.slug}/mijn-rooster/"

    client.force_login(a.person)
    assert client.get(url).status_code == 404  # saved, not published

    schedule_publish(event_id=event.pk, actor=coordinator)
    assert client.get(url).status_code == 200
    for outsider in (eva.person, ResearcherFactory(), coordinator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    assert client.get("/meet-and-match/bestaat-niet/mijn-rooster/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_seatmate_who_cancelled_is_left_off_my_schedule(client, coordinator):
    event, (a, b, _c, _d) = published(coordinator)
    b.state = "cancelled"
    b.save(update_fields=["state"])

    response = as_user(client, a.person).get(f"/meet-and-match/{event.slug}/mijn-rooster/")

    assert [row[3] for row in rows(response, "my-schedule")[1:]] == [
        "",
        "Carla Claes (Researcher): Carla Claes brengt",
    ]


def test_event_page_links_to_my_schedule_and_the_grid(client, coordinator):
    event, (a, *_rest) = published(coordinator)

    mine = parse(as_user(client, a.person).get(f"/meet-and-match/{event.slug}/").content)
    theirs = parse(as_user(client, coordinator).get(f"/meet-and-match/{event.slug}/").content)

    section = mine.find("section", aria_labelledby="schedule-title")
    assert [link.text for link in section.find_all("a")] == ["My schedule", "Follow-up"]
    coordinators = theirs.find("section", aria_labelledby="schedule-title")
    assert [link.attrs["href"] for link in coordinators.find_all("a")] == [
        f"/meet-and-match/{event.slug}/rooster/"
    ]


def test_my_meet_and_match_lists_my_schedules(client, coordinator):
    event, (a, *_rest) = published(coordinator)
    other, _people = closed_event()  # registered, no schedule yet: not listed here
    RegistrationFactory(event=other, person=a.person)

    page = parse(as_user(client, a.person).get("/mijn/meet-and-match/").content)

    section = page.find("section", aria_labelledby="my-schedules")
    assert [card.find("h3").text for card in section.find_all("li", class_="card")] == [event.title]
    assert [li.text for li in section.find("ul", class_="card__list").find_all("li")] == [
        "Round 1: table 1",
        "Round 2: table 1",
    ]
