"""The schedule actions in the Meet & Match admin: build (through the registered builder, or a
clear refusal without one) and publish with its confirmation page.

The actions live in events.admin_schedule.EventScheduleAdminMixin, which events/admin.py
mixes into the registered EventAdmin; these tests go through that real admin.
"""

import pytest
from django.contrib.auth.models import Permission

from events.enums import EventState
from events.models import Event
from events.schedule_input import ProposedMeeting, ScheduleProblem, ScheduleProposal
from events.services.schedule import (
    register_schedule_builder,
    schedule_builder,
    schedule_save,
)
from outbox.models import Message
from tests.events.test_schedule_service import closed_event, four_way, stored
from tests.factories import PartnerMemberFactory
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

EVENTS = "/beheer/events/event/"


@pytest.fixture
def coordinator(coordinator):
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    return coordinator


@pytest.fixture
def admin_client(client, coordinator):
    sign_in_for_admin(client, coordinator)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def no_builder():
    before = schedule_builder()
    register_schedule_builder(None)
    yield
    register_schedule_builder(before)


def run(client, action: str, events, **extra):
    return client.post(
        EVENTS,
        {"action": action, "_selected_action": [e.pk for e in events], **extra},
        follow=True,
    )


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def pairs_in_order(problem: ScheduleProblem) -> ScheduleProposal:
    """A tiny deterministic builder for this test only: neighbours in order, round one."""
    ids = [p.id for p in problem.participants]
    return ScheduleProposal.of(
        ProposedMeeting(1, n + 1, ids[2 * n : 2 * n + 2], reason="Test reason")
        for n in range(len(ids) // 2)
    )


def test_build_without_a_builder_refuses_with_a_clear_message(admin_client, no_builder):
    event, _people = closed_event()

    response = run(admin_client, "build_schedule", [event])

    assert shown(response) == [
        (
            f"{event.title}: The planner comes with the matching module. "
            "Make the schedule by hand for now."
        )
    ]
    assert stored(event) == []


def test_build_with_a_registered_builder_saves_its_schedule(admin_client, no_builder):
    event, _people = closed_event()
    register_schedule_builder(pairs_in_order)

    response = run(admin_client, "build_schedule", [event])

    link = parse(response.content).find("a", href=f"/meet-and-match/{event.slug}/rooster/")
    assert link.text == "schedule built with 2 meetings. Check it, then publish it."
    assert len(shown(response)) == 1
    assert stored(event) == [
        (1, 1, ["Anna Aalbers", "Bram Bos"]),
        (1, 2, ["Carla Claes", "Dirk Dekker"]),
    ]
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED


def test_build_on_an_open_event_is_refused(admin_client, no_builder):
    event, _people = closed_event(state=EventState.PUBLISHED)
    register_schedule_builder(pairs_in_order)

    response = run(admin_client, "build_schedule", [event])

    assert shown(response) == [
        (
            f"{event.title}: A schedule can be built when registration is closed and the "
            "schedule is not published yet. Change a published schedule by hand."
        )
    ]
    assert stored(event) == []


def test_publish_asks_first_then_publishes_and_mails(admin_client, coordinator):
    event, people = closed_event(people=5)
    schedule_save(event_id=event.pk, proposal=four_way(*people[:4]), actor=coordinator)

    confirm = admin_client.post(
        EVENTS, {"action": "publish_schedule", "_selected_action": [event.pk]}
    )

    page = parse(confirm.content)
    # The admin's own title is the page's one heading: a second copy only repeats it.
    assert [h1.text for h1 in page.find_all("h1")] == ["Publish the schedule and mail it"]
    assert [
        [cell.text for cell in row.find_all("td")] for row in page.find("tbody").find_all("tr")
    ] == [
        [
            event.title,
            event.starts_at.strftime("%-d %b %Y"),
            "Registration closed",
            "4",
            "4",
            "Check it first",
        ]
    ]
    assert Message.objects.count() == 0
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED

    done = run(admin_client, "publish_schedule", [event], apply="1")

    assert shown(done) == [f"{event.title}: schedule published and mailed to 4 people."]
    event.refresh_from_db()
    assert (event.state, event.sequence) == (EventState.SCHEDULED, 1)
    assert sorted(m.recipient.name for m in Message.objects.all()) == [
        "Anna Aalbers",
        "Bram Bos",
        "Carla Claes",
        "Dirk Dekker",
    ]


def test_publish_without_a_schedule_says_so(admin_client):
    event, _people = closed_event()

    done = run(admin_client, "publish_schedule", [event], apply="1")

    assert shown(done) == [
        f"{event.title}: There is no schedule to publish yet. Build or make one first."
    ]


def test_event_page_in_the_admin_links_to_the_grid_and_the_hand_made_schedule(admin_client):
    event, _people = closed_event()

    page = parse(admin_client.get(f"{EVENTS}{event.pk}/change/").content)

    links = {a.attrs["href"]: a.text for a in page.find_all("a")}
    assert links[f"/meet-and-match/{event.slug}/rooster/"] == "See the schedule (prints well)"
    assert links[f"/meet-and-match/{event.slug}/rooster/bewerken/"] == "Change it by hand"


def test_schedule_actions_are_for_coordinators_only(client, no_builder):
    event, _people = closed_event()
    register_schedule_builder(pairs_in_order)
    staff = PartnerMemberFactory(is_staff=True)
    # Staff with every model permission on events, but not a coordinator.
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="events"))
    sign_in_for_admin(client, staff)

    page = client.get(EVENTS)
    response = client.post(EVENTS, {"action": "build_schedule", "_selected_action": [event.pk]})

    # Staff with another role are refused at the admin's door.
    assert (page.status_code, response.status_code) == (403, 403)
    assert stored(event) == []


def test_project_admin_offers_the_schedule_actions(client, coordinator):
    """The wiring: events/admin.py mixes EventScheduleAdminMixin into its EventAdmin."""
    closed_event()  # the admin shows its actions only above a list with rows
    sign_in_for_admin(client, coordinator)

    page = parse(client.get("/beheer/events/event/").content)

    values = [o.attrs["value"] for o in page.find("select", name="action").find_all("option")]
    assert {"build_schedule", "publish_schedule"} <= set(values)
