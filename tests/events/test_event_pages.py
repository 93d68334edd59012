"""The Meet & Match pages: the list, the event page, registering, cancelling, "My Meet &
Match" and the check-in list; and the privacy rule on every list and choice they show."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from events.enums import Audience
from events.enums import EventState as S
from events.enums import RegistrationState as R
from events.models import Registration
from events.services.lifecycle import EventAction, event_transition
from outbox.models import Message
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import ThemeFactory
from tests.partners.challenge_setup import speaks_english
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def client(client):
    # Wording is compared in English, the language of the msgids.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def researcher(researcher):
    return speaks_english(researcher)


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


def page(response):
    assert response.status_code == 200
    return parse(response.content)


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def card_titles(tree, section_id: str) -> list[str]:
    section = tree.find("section", aria_labelledby=section_id)
    return [h3.text for h3 in section.find_all("h3", class_="card__title")]


def past_event(**extra):
    starts = timezone.now() - timedelta(days=30)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_deadline=starts - timedelta(days=7),
        state=S.HELD,
        **extra,
    )


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_upcoming_and_past_events_with_places_left_and_hides_drafts(client):
    upcoming = EventFactory(title="Najaarseditie", capacity=10)
    RegistrationFactory.create_batch(3, event=upcoming)
    RegistrationFactory(event=upcoming, state=R.WAITLISTED)
    RegistrationFactory(event=upcoming, state=R.CANCELLED)
    past_event(title="Voorjaarseditie")
    EventFactory(title="Nog geheim", state=S.DRAFT)

    tree = page(client.get("/meet-and-match/"))

    assert card_titles(tree, "upcoming-title") == ["Najaarseditie"]
    assert card_titles(tree, "past-title") == ["Voorjaarseditie"]
    assert [dd.text for dd in tree.find_all("dd", class_="places-left")] == ["7 of 10 places left"]


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_does_not_grow_with_events(client, count, django_assert_num_queries):
    theme = ThemeFactory()
    for n in range(count):
        event = EventFactory(themes=[theme])
        RegistrationFactory(event=event)
        past_event(themes=[theme], slug=f"eerder-{n}")

    # Upcoming events with their counts, their themes; past events, their themes.
    with django_assert_num_queries(4):
        tree = page(client.get("/meet-and-match/"))

    assert len(card_titles(tree, "upcoming-title")) == count


# --- The event page -----------------------------------------------------------------------------


def test_detail_shows_when_where_places_and_who_may_register(client):
    EventFactory(
        slug="najaar",
        title="Najaarseditie",
        description="Korte gesprekken over de wijk.",
        capacity=2,
        audience=[Audience.RESEARCHER, Audience.PARTNER],
        venue="Op Locatie, Leiden-Noord",
    )

    tree = page(client.get("/meet-and-match/najaar/"))

    facts = dict(
        zip(
            [dt.text for dt in tree.find("dl", class_="facts").find_all("dt")],
            [dd.text for dd in tree.find("dl", class_="facts").find_all("dd")],
            strict=True,
        )
    )
    assert facts["Where"] == "Op Locatie, Leiden-Noord"
    assert facts["Places"] == "2 of 2 places left"
    assert facts["Who may register"] == "Researchers and lecturers, Partner organisations"
    assert tree.find("h1").text == "Najaarseditie"
    assert tree.find("a", class_="button").text == "Log in to register"
    # Visitors do not see who is coming.
    assert tree.find_all("section", aria_labelledby="participants-title") == []


def test_detail_of_a_draft_is_not_found_except_for_coordinators(client, researcher, coordinator):
    EventFactory(slug="concept", state=S.DRAFT)

    client.force_login(researcher)
    assert client.get("/meet-and-match/concept/").status_code == 404
    client.force_login(coordinator)
    assert client.get("/meet-and-match/concept/").status_code == 200


def test_detail_shows_my_registration_with_code_and_cancel_button(client, researcher):
    event = EventFactory(slug="najaar")
    RegistrationFactory(event=event, person=researcher, check_in_code="3FA9C1")
    client.force_login(researcher)

    tree = page(client.get("/meet-and-match/najaar/"))

    mine = tree.find("section", id="mijn-aanmelding")
    assert mine.find("dd", class_="check-in-code").text == "3FA9C1"
    assert mine.find("button").text == f"Cancel my registration {event.title}"
    assert tree.find_all("section", aria_labelledby="register-title") == []


def test_detail_tells_why_someone_cannot_register(client, student):
    speaks_english(student)
    EventFactory(slug="najaar", audience=[Audience.RESEARCHER])
    client.force_login(student)

    tree = page(client.get("/meet-and-match/najaar/"))

    assert tree.find("p", class_="register-problem").text == (
        "This Meet & Match is only for: researchers and lecturers."
    )
    assert tree.find_all("form", action="/meet-and-match/najaar/aanmelden/") == []


# --- Privacy: someone who is not listed appears in no list, choice, feed or mail ----------------


@pytest.fixture
def crowd():
    """An event with a listed and an unlisted registrant, and a listed one on the waiting list."""
    event = EventFactory(slug="najaar", capacity=2)
    listed = RegistrationFactory(
        event=event, listed=True, person__name="Lotte Lijst", brings="Kennis van de wijk."
    )
    hidden = RegistrationFactory(
        event=event, listed=False, person__name="Vera Verborgen", brings="Iets geheims."
    )
    waiting = RegistrationFactory(
        event=event, listed=True, state=R.WAITLISTED, person__name="Willem Wacht"
    )
    RegistrationFactory(event=event, listed=True, state=R.CANCELLED, person__name="Anne Afgemeld")
    return event, listed, hidden, waiting


def test_participant_list_shows_only_the_listed_to_registrants(client, researcher, crowd):
    event, *_ = crowd
    RegistrationFactory(event=event, person=researcher, state=R.WAITLISTED, listed=False)
    client.force_login(researcher)

    tree = page(client.get("/meet-and-match/najaar/"))

    items = tree.find("ul", class_="participants").find_all("strong")
    assert [strong.text for strong in items] == ["Lotte Lijst", "Willem Wacht"]
    assert "Kennis van de wijk." in tree.find("ul", class_="participants").text
    assert "Vera Verborgen" not in tree.text
    assert "You are not on this list, because you chose not to be listed." in tree.text


def test_participant_list_is_hidden_from_people_not_registered(client, researcher, crowd):
    client.force_login(researcher)

    tree = page(client.get("/meet-and-match/najaar/"))

    assert tree.find_all("section", aria_labelledby="participants-title") == []
    assert "Lotte Lijst" in tree.text  # only as a choice in the registration form
    assert "Vera Verborgen" not in tree.text


def test_participant_list_is_hidden_after_cancelling(client, researcher, crowd):
    event, *_ = crowd
    RegistrationFactory(event=event, person=researcher, state=R.CANCELLED)
    client.force_login(researcher)

    tree = page(client.get("/meet-and-match/najaar/"))

    assert tree.find_all("section", aria_labelledby="participants-title") == []


def test_registration_form_offers_only_listed_registrants_never_myself(client, researcher, crowd):
    event, listed, _hidden, waiting = crowd
    RegistrationFactory(event=event, person=researcher, state=R.CANCELLED, listed=True)
    client.force_login(researcher)

    tree = page(client.get("/meet-and-match/najaar/aanmelden/"))

    for name in ("wants_to_meet", "rather_not_meet"):
        choices = tree.find("fieldset", aria_describedby=f"id_{name}_helptext").find_all("label")
        assert [label.text for label in choices] == [
            "Lotte Lijst (researcher): Kennis van de wijk.",
            f"Willem Wacht (researcher): {waiting.brings}",
        ]
        # Never my own (cancelled, listed) registration, never the unlisted one.
        boxes = tree.find_all("input", name=name)
        assert [box.attrs["value"] for box in boxes] == [str(listed.pk), str(waiting.pk)]
    assert "Vera Verborgen" not in tree.text


def test_choosing_an_unlisted_person_by_hand_is_refused_on_that_field(client, researcher, crowd):
    _event, _listed, hidden, _waiting = crowd
    client.force_login(researcher)

    response = client.post(
        "/meet-and-match/najaar/aanmelden/",
        {
            "role_at_event": "researcher",
            "brings": "Onderzoek.",
            "seeks": "Een partner.",
            "wants_to_meet": [hidden.pk],
        },
    )

    tree = page(response)
    assert tree.find("ul", id="id_wants_to_meet_error").text == (
        "Error: Someone you chose is no longer on the list of this Meet & Match. Choose again."
    )
    assert Registration.objects.filter(person=researcher).count() == 0


def test_mails_about_others_never_name_someone_unlisted(researcher, coordinator, crowd):
    event, _listed, hidden, _waiting = crowd
    RegistrationFactory(event=event, person=researcher)
    Message.objects.all().delete()

    event_transition(
        event_id=event.pk, action=EventAction.CANCEL, actor=coordinator, message="Zaal dicht."
    )

    mails = Message.objects.exclude(to_email=hidden.person.email)
    assert mails.count() == 3
    for mail in mails:
        assert "Vera Verborgen" not in mail.subject + mail.body_text + mail.body_html


@pytest.mark.parametrize("count", [1, 15])
def test_participant_list_query_count_does_not_grow_with_people(
    client, researcher, count, django_assert_num_queries
):
    theme = ThemeFactory()
    event = EventFactory(slug="najaar", capacity=50)
    RegistrationFactory(event=event, person=researcher)
    for _ in range(count):
        RegistrationFactory(event=event, themes=[theme])
    client.force_login(researcher)

    # Session and user; the event with its counts; my registration and my permission to
    # see the list; the event's themes; the participants and their themes; my seats (the
    # schedule part's include).
    with django_assert_num_queries(9):
        tree = page(client.get("/meet-and-match/najaar/"))

    assert len(tree.find("ul", class_="participants").find_all("strong")) == count + 1


# --- Registering and cancelling -----------------------------------------------------------------


def test_register_saves_my_answers_and_shows_my_place(client, researcher):
    event = EventFactory(slug="najaar")
    other = RegistrationFactory(event=event)
    client.force_login(researcher)

    response = client.post(
        "/meet-and-match/najaar/aanmelden/",
        {
            "role_at_event": "lecturer",
            "brings": "Lessen over burgerschap.",
            "seeks": "Een wijkcentrum.",
            "listed": "on",
            "wants_to_meet": [other.pk],
        },
        follow=True,
    )

    assert response.redirect_chain == [("/meet-and-match/najaar/", 302)]
    assert shown(response) == ["You have a place. We sent you an email with your check-in code."]
    registration = Registration.objects.get(person=researcher)
    assert (
        registration.role_at_event,
        registration.brings,
        registration.listed,
        list(registration.wants_to_meet.all()),
    ) == ("lecturer", "Lessen over burgerschap.", True, [other])


def test_register_with_empty_answers_shows_errors_beside_the_fields(client, researcher):
    EventFactory(slug="najaar")
    client.force_login(researcher)

    response = client.post(
        "/meet-and-match/najaar/aanmelden/", {"role_at_event": "researcher", "brings": ""}
    )

    tree = page(response)
    assert tree.find("ul", id="id_brings_error").text == "Error: This field is required."
    assert tree.find("textarea", name="brings").attrs["aria-describedby"] == (
        "id_brings_helptext id_brings_error"
    )
    assert Registration.objects.count() == 0


def test_register_page_after_the_deadline_says_so(client, researcher):
    EventFactory(slug="najaar", registration_deadline=timezone.now() - timedelta(hours=1))
    client.force_login(researcher)

    tree = page(client.get("/meet-and-match/najaar/aanmelden/"))

    assert tree.find("p", class_="register-problem").text == "The deadline to register has passed."
    assert tree.find_all("textarea") == []


def test_register_when_full_puts_me_on_the_waiting_list(client, researcher):
    event = EventFactory(slug="najaar", capacity=1)
    RegistrationFactory(event=event)
    client.force_login(researcher)

    response = client.post(
        "/meet-and-match/najaar/aanmelden/",
        {"role_at_event": "researcher", "brings": "Onderzoek.", "seeks": "Partner."},
        follow=True,
    )

    assert shown(response) == ["The Meet & Match is full: you are on the waiting list, number 1."]


def test_cancel_someone_elses_registration_is_not_found(client, researcher):
    registration = RegistrationFactory()
    client.force_login(researcher)

    response = client.post(f"/meet-and-match/registratie/{registration.pk}/annuleren/")

    assert response.status_code == 404
    assert Registration.objects.get().state == R.REGISTERED


def test_cancel_frees_my_place_for_the_next_in_line(client, researcher):
    event = EventFactory(slug="najaar", capacity=1)
    mine = RegistrationFactory(event=event, person=researcher)
    waiting = RegistrationFactory(event=event, state=R.WAITLISTED)
    client.force_login(researcher)

    response = client.post(f"/meet-and-match/registratie/{mine.pk}/annuleren/", follow=True)

    assert shown(response) == ["Your registration is cancelled."]
    assert dict(Registration.objects.values_list("pk", "state")) == {
        mine.pk: R.CANCELLED,
        waiting.pk: R.REGISTERED,
    }


def test_mine_shows_my_places_codes_and_waiting_numbers(client, researcher):
    RegistrationFactory(person=researcher, event__title="Najaarseditie", check_in_code="3FA9C1")
    full = EventFactory(title="Wintereditie", capacity=1)
    RegistrationFactory(event=full, state=R.WAITLISTED)
    RegistrationFactory(event=full, person=researcher, state=R.WAITLISTED)
    RegistrationFactory(person=researcher, state=R.CANCELLED, event__title="Afgemeld")
    client.force_login(researcher)

    tree = page(client.get("/mijn/meet-and-match/"))

    current = tree.find("section", aria_labelledby="current-title")
    cards = {card.find("h3").text: card.text for card in current.find_all("li", class_="card")}
    assert sorted(cards) == ["Najaarseditie", "Wintereditie"]
    assert "Check-in code 3FA9C1" in cards["Najaarseditie"]
    assert "On the waiting list · number 2 on the waiting list" in cards["Wintereditie"]
    earlier = tree.find("section", aria_labelledby="earlier-title")
    assert [li.text for li in earlier.find_all("li")] == [
        f"Afgemeld · {earlier.find_all('li')[0].text.split(' · ')[1]} · Cancelled"
    ]


# --- Check-in at the door -----------------------------------------------------------------------


def test_check_in_list_is_alphabetical_with_codes_for_coordinators(client, coordinator):
    event = EventFactory(slug="najaar")
    RegistrationFactory(event=event, person__name="Zoë Zand", check_in_code="ZZZ111")
    RegistrationFactory(
        event=event, person__name="Ahmed Amrani", check_in_code="AAA111", listed=False
    )
    RegistrationFactory(event=event, person__name="Wim Wacht", state=R.WAITLISTED)
    client.force_login(coordinator)

    tree = page(client.get("/meet-and-match/najaar/check-in/"))

    rows = tree.find("table", class_="check-in-list").find("tbody").find_all("tr")
    assert [(row.find("th").text, row.find_all("td")[0].text) for row in rows] == [
        ("Ahmed Amrani", "AAA111"),
        ("Zoë Zand", "ZZZ111"),
    ]
    assert tree.find("p", class_="check-in-count").text == "0 of 2 people checked in."


def test_check_in_list_is_not_found_for_others(client, researcher, partner_member):
    event = EventFactory(slug="najaar")
    RegistrationFactory(event=event, person=researcher)

    client.force_login(researcher)
    assert client.get("/meet-and-match/najaar/check-in/").status_code == 404
    client.force_login(partner_member)
    assert client.post("/meet-and-match/najaar/check-in/", {"code": "X"}).status_code == 404


def test_check_in_button_marks_the_person_arrived(client, coordinator):
    event = EventFactory(slug="najaar")
    registration = RegistrationFactory(event=event, person__name="Zoë Zand")
    client.force_login(coordinator)

    response = client.post(
        "/meet-and-match/najaar/check-in/", {"registration": registration.pk}, follow=True
    )

    assert shown(response) == ["Zoë Zand is checked in."]
    assert Registration.objects.get().checked_in_at is not None
    assert page(response).find("p", class_="check-in-count").text == "1 of 1 person checked in."


def test_check_in_by_code_and_a_wrong_code_shows_the_error_on_the_field(client, coordinator):
    event = EventFactory(slug="najaar")
    RegistrationFactory(event=event, check_in_code="3FA9C1")
    client.force_login(coordinator)

    wrong = client.post("/meet-and-match/najaar/check-in/", {"code": "ZZZZZZ"})
    assert page(wrong).find("ul", id="id_code_error").text == (
        "Error: There is no registration with this code for this Meet & Match."
    )
    assert Registration.objects.get().checked_in_at is None

    right = client.post("/meet-and-match/najaar/check-in/", {"code": "3fa9c1"})
    assert right.status_code == 302
    assert Registration.objects.get().checked_in_at is not None


def test_check_in_list_query_count_does_not_grow_with_people(
    client, coordinator, django_assert_num_queries
):
    event = EventFactory(slug="najaar")
    RegistrationFactory.create_batch(12, event=event)
    client.force_login(coordinator)

    # Session and user; the event; the list.
    with django_assert_num_queries(4):
        client.get("/meet-and-match/najaar/check-in/")
