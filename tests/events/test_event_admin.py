"""The coordinators' event pages in the admin: transitions, editing, check-in, the CSV export,
and that staff who are not coordinators cannot act."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from events.enums import EventState as S
from events.enums import RegistrationState as R
from events.models import Event, EventLogEntry, Registration
from outbox.models import Message
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import PartnerMemberFactory
from tests.partners.challenge_setup import speaks_english
from tests.projects.cohort_factories import admin_form_data
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

EVENTS = "/beheer/events/event/"
REGISTRATIONS = "/beheer/events/registration/"


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


@pytest.fixture
def admin_client(client, coordinator):
    sign_in_for_admin(client, coordinator)
    return client


def event_form_data(client, url: str) -> dict[str, list[str]]:
    """The change form as a browser would post it. The shared reader fills empty inputs in
    as "on" (what a ticked box sends); empty text and date fields send nothing."""
    data = admin_form_data(client.get(url).content.decode(), "event_form")
    for name in ("online_url", "first_round_at_0", "first_round_at_1"):
        if data.get(name) == ["on"]:
            data[name] = [""]
    return data


def run(client, url: str, action: str, objects, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [o.pk for o in objects], **extra}, follow=True
    )


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def state_of(event) -> str:
    return Event.objects.get(pk=event.pk).state


# --- Transitions --------------------------------------------------------------------------------


def test_publish_and_close_registration_actions_move_the_event(admin_client):
    event = EventFactory(state=S.DRAFT)

    published = run(admin_client, EVENTS, "publish_events", [event])
    assert (shown(published), state_of(event)) == (
        ["Publish: 1 Meet & Match done."],
        S.PUBLISHED,
    )

    run(admin_client, EVENTS, "close_registration_events", [event])
    assert state_of(event) == S.REGISTRATION_CLOSED


def test_action_from_the_wrong_state_says_why(admin_client):
    event = EventFactory(title="Najaarseditie", state=S.DRAFT)

    response = run(admin_client, EVENTS, "close_events", [event])

    assert shown(response) == ["Najaarseditie: This cannot be done now: the Meet & Match is draft."]
    assert state_of(event) == S.DRAFT


def test_cancel_asks_for_a_message_then_cancels_and_mails(admin_client):
    event = EventFactory(title="Najaarseditie")
    RegistrationFactory(event=event, person__language="en")

    confirm = admin_client.post(EVENTS, {"action": "cancel_events", "_selected_action": [event.pk]})
    assert confirm.status_code == 200
    assert 'name="message"' in confirm.content.decode()
    assert [h1.text for h1 in parse(confirm.content).find_all("h1")] == ["Cancel"]
    assert state_of(event) == S.PUBLISHED

    refused = run(admin_client, EVENTS, "cancel_events", [event], apply="1", message="")
    assert shown(refused) == [
        "Najaarseditie: Write a short message to the people registered: it is required here."
    ]
    assert state_of(event) == S.PUBLISHED

    run(admin_client, EVENTS, "cancel_events", [event], apply="1", message="De zaal is dicht.")

    assert state_of(event) == S.CANCELLED
    assert list(EventLogEntry.objects.values_list("action", "message")) == [
        ("cancel", "De zaal is dicht.")
    ]
    assert Message.objects.get().subject == "Najaarseditie does not go ahead"


@pytest.fixture
def staff_partner(client):
    """Staff with every event permission, but not a coordinator."""
    person = speaks_english(PartnerMemberFactory(is_staff=True))
    person.user_permissions.set(Permission.objects.filter(content_type__app_label="events"))
    sign_in_for_admin(client, person)
    return person


def test_staff_who_are_not_coordinators_cannot_act(client, staff_partner):
    event = EventFactory(state=S.DRAFT)
    registration = RegistrationFactory()

    published = run(client, EVENTS, "publish_events", [event])
    checked_in = run(client, REGISTRATIONS, "check_in_registrations", [registration])
    export = client.post(EVENTS, {"action": "export_registrations", "_selected_action": [event.pk]})
    change = client.post(f"{EVENTS}{event.pk}/change/", {"title": "Anders"})

    # The actions are not offered to them, so the admin runs nothing.
    assert 'value="publish_events"' not in client.get(EVENTS).content.decode()
    assert (shown(published), shown(checked_in)) == ([], [])
    assert export["Content-Type"] == "text/html; charset=utf-8"
    assert change.status_code == 403
    assert (state_of(event), Event.objects.get(pk=event.pk).title) == (S.DRAFT, event.title)
    assert Registration.objects.get().checked_in_at is None


# --- Editing ------------------------------------------------------------------------------------


def test_change_form_new_time_raises_the_sequence_and_mails_those_registered(admin_client):
    event = EventFactory(sequence=0, title="Najaarseditie")
    RegistrationFactory(event=event, person__language="en")
    url = f"{EVENTS}{event.pk}/change/"
    data = event_form_data(admin_client, url)
    later = timezone.localtime(event.starts_at + timedelta(hours=1))
    data["starts_at_1"] = [later.strftime("%H:%M:%S")]
    data["ends_at_1"] = [(later + timedelta(hours=2)).strftime("%H:%M:%S")]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.starts_at, event.sequence) == (later.replace(microsecond=0), 1)
    assert Message.objects.get().subject == "Najaarseditie has a new time or place"
    assert EventLogEntry.objects.get().action == "edit"


def test_change_form_shows_an_end_before_the_start_beside_the_field(admin_client):
    event = EventFactory()
    url = f"{EVENTS}{event.pk}/change/"
    data = event_form_data(admin_client, url)
    data["ends_at_0"] = data["starts_at_0"]
    data["ends_at_1"] = [
        (timezone.localtime(event.starts_at) - timedelta(hours=1)).strftime("%H:%M:%S")
    ]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ends_at"] == [
        "The end must be after the start."
    ]
    assert Event.objects.get().ends_at == event.ends_at


def test_add_form_makes_a_draft_and_logs_it(admin_client, coordinator):
    data = event_form_data(admin_client, f"{EVENTS}add/")
    data |= {
        "title": ["Voorjaarseditie"],
        "slug": ["voorjaarseditie"],
        "starts_at_0": ["2031-04-10"],
        "starts_at_1": ["15:00:00"],
        "ends_at_0": ["2031-04-10"],
        "ends_at_1": ["17:00:00"],
        "registration_deadline_0": ["2031-04-03"],
        "registration_deadline_1": ["12:00:00"],
        "audience": ["researcher", "partner"],
    }

    response = admin_client.post(f"{EVENTS}add/", data)

    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.title, event.state, event.audience) == (
        "Voorjaarseditie",
        S.DRAFT,
        ["researcher", "partner"],
    )
    assert list(EventLogEntry.objects.values_list("action", "actor")) == [
        ("create", coordinator.pk)
    ]


def test_change_page_lists_registrations_read_only(admin_client):
    event = EventFactory()
    RegistrationFactory(event=event, person__name="Lotte Lijst", check_in_code="3FA9C1")

    page = admin_client.get(f"{EVENTS}{event.pk}/change/").content.decode()

    assert "Lotte Lijst" in page
    assert "3FA9C1" in page
    assert 'name="registrations-0-state"' not in page


# --- Check-in and export ------------------------------------------------------------------------


def test_check_in_action_marks_people_and_reports_those_without_a_place(admin_client):
    event = EventFactory()
    placed = RegistrationFactory(event=event, person__name="Lotte Lijst")
    waiting = RegistrationFactory(event=event, person__name="Willem Wacht", state=R.WAITLISTED)

    response = run(admin_client, REGISTRATIONS, "check_in_registrations", [placed, waiting])

    assert shown(response) == [
        "Willem Wacht has no place at this Meet & Match (on the waiting list).",
        "1 person checked in.",
    ]
    assert list(Registration.objects.filter(checked_in_at__isnull=False)) == [placed]


def test_export_lists_registrations_and_defuses_formulas(admin_client):
    event = EventFactory(title="Najaarseditie")
    RegistrationFactory(
        event=event,
        person__name='=HYPERLINK("http://kwaad.example")',
        person__email="kwaad@example.org",
        brings="+31 71 000 0000",
        seeks="@iedereen",
        listed=False,
        checked_in_at=timezone.make_aware(timezone.datetime(2031, 4, 10, 15, 5)),
    )

    response = run(admin_client, EVENTS, "export_registrations", [event])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        [
            "Meet & Match",
            "Name",
            "Email",
            "Comes as",
            "Brings",
            "Looking for",
            "State",
            "On the list",
            "Checked in",
        ],
        [
            "Najaarseditie",
            '\'=HYPERLINK("http://kwaad.example")',
            "kwaad@example.org",
            "Researcher",
            "'+31 71 000 0000",
            "'@iedereen",
            "Registered",
            "no",
            "2031-04-10 15:05",
        ],
    ]


@pytest.mark.parametrize("count", [1, 10])
def test_changelist_query_count_does_not_grow_with_events(
    admin_client, count, django_assert_num_queries
):
    for _ in range(count):
        RegistrationFactory()

    # Session, user, two permission lookups, the theme filter, two counts, the page of events
    # with their places, the date hierarchy's range and its days.
    with django_assert_num_queries(10):
        response = admin_client.get(EVENTS)

    assert len(response.context["cl"].result_list) == count
