"""The registered schedule builder: the reasons participants read, and the admin's "Build the
schedule" and "Publish the schedule" end to end with the real engine.

Reasons are stored in the site's language (settings.LANGUAGE_CODE). Our msgids are English
and the Dutch catalogue comes later, so these tests make the site English and compare in
English.
"""

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from events.enums import EventState, RoleAtEvent
from events.models import Event, EventLogEntry, Meeting
from events.schedule_input import Participant, ScheduleProblem, Theme
from events.services.schedule import schedule_builder
from matching.core.schedule import Explanation, PairPoints, SharedTheme
from matching.schedule_builder import build_schedule_proposal, meeting_reason
from outbox.models import Message
from tests.events.test_schedule_service import closed_event, stored
from tests.factories import PartnerMemberFactory, ThemeFactory
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

EVENTS = "/beheer/events/event/"
NAMES = {1: "Anna Aalbers", 2: "Bram Bos", 3: "Carla Claes", 4: "Dirk Dekker"}
THEME_NAMES = {1: "Eenzaamheid", 2: "Armoede", 3: "Vergrijzing", 4: "LHBTI+ jongeren"}


@pytest.fixture
def english_site(settings):
    settings.LANGUAGE_CODE = "en"


def explanation(**parts) -> Explanation:
    return Explanation(
        **{
            "shared_themes": (),
            "mutual_wishes": (),
            "one_sided_wishes": (),
            "roles": (),
            "points": PairPoints(new=1.0),
        }
        | parts
    )


def reason(parts: Explanation, people: int = 2) -> str:
    with translation.override("en"):
        return meeting_reason(parts, people=people, names=NAMES, themes=THEME_NAMES)


# --- The reasons ------------------------------------------------------------------------


@pytest.mark.unit
def test_reason_for_a_pair_names_themes_the_event_wishes_and_roles():
    parts = explanation(
        shared_themes=(SharedTheme(1, (1, 2), of_event=True), SharedTheme(3, (1, 2), False)),
        mutual_wishes=((1, 2),),
        roles=("researcher", "practitioner"),
    )

    assert reason(parts) == (
        "You share the themes eenzaamheid and vergrijzing; this Meet & Match is about "
        "eenzaamheid; you both wanted to meet each other; you bring research and practice "
        "together."
    )


@pytest.mark.unit
def test_reason_for_a_one_sided_wish_does_not_say_who_asked():
    parts = explanation(
        shared_themes=(SharedTheme(2, (1, 2), of_event=False),), one_sided_wishes=((2, 1),)
    )

    assert reason(parts) == "You share the theme armoede; one of you asked to meet the other."


@pytest.mark.unit
def test_reason_for_a_pair_with_nothing_in_common():
    assert reason(explanation()) == "A chance to meet someone new."


@pytest.mark.unit
def test_reason_for_a_table_of_four_names_who_wished_what():
    parts = explanation(
        shared_themes=(
            SharedTheme(1, (1, 2), of_event=True),
            SharedTheme(2, (3, 4), of_event=False),
            SharedTheme(3, (1, 2, 4), of_event=False),
        ),
        mutual_wishes=((1, 2),),
        one_sided_wishes=((3, 1),),
        roles=("researcher", "lecturer", "practitioner", "student"),
    )

    assert reason(parts, people=4) == (
        "Some of you share the themes eenzaamheid, armoede and vergrijzing; this Meet & Match "
        "is about eenzaamheid; Anna Aalbers and Bram Bos both wanted to meet each other; "
        "Carla Claes asked to meet Anna Aalbers; you bring research, education, practice and "
        "studies together."
    )


@pytest.mark.unit
def test_reason_for_a_table_of_three_who_all_share_a_theme():
    parts = explanation(
        shared_themes=(SharedTheme(4, (1, 2, 3), of_event=False),),
        roles=("lecturer", "student"),
    )

    # A name that starts with an abbreviation keeps its capitals.
    assert reason(parts, people=3) == (
        "You share the theme LHBTI+ jongeren; you bring education and studies together."
    )


def problem_of_two() -> ScheduleProblem:
    return ScheduleProblem(
        event_id=1,
        rounds=1,
        tables=1,
        seats_per_table=2,
        participants=(
            Participant(1, "researcher", "Anna Aalbers", frozenset({1, 3}), wants=frozenset({2})),
            Participant(2, "practitioner", "Bram Bos", frozenset({1, 3}), wants=frozenset({1})),
        ),
        themes=(Theme(1, "Eenzaamheid"), Theme(3, "Vergrijzing")),
        event_theme_ids=frozenset({1}),
    )


@pytest.mark.unit
def test_the_builder_writes_reasons_in_the_site_language_whoever_asks(english_site):
    # A coordinator working in Dutch builds it; the reasons are in the site's language.
    with translation.override("nl"):
        proposal = build_schedule_proposal(problem_of_two())

    (meeting,) = proposal.meetings
    assert (meeting.round, meeting.table, meeting.participant_ids) == (1, 1, (1, 2))
    assert meeting.reason == (
        "You share the themes eenzaamheid and vergrijzing; this Meet & Match is about "
        "eenzaamheid; you both wanted to meet each other; you bring research and practice "
        "together."
    )
    # 1 for meeting, 2 shared themes, 0.5 for the event's, 1 for the roles, 40 for the wish.
    assert meeting.score == 44.5


@pytest.mark.unit
def test_the_matching_app_registers_its_builder():
    assert schedule_builder() is build_schedule_proposal


# --- The admin, end to end --------------------------------------------------------------


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


def run(client, action: str, event, **extra):
    return client.post(
        EVENTS, {"action": action, "_selected_action": [event.pk], **extra}, follow=True
    )


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def event_with_wishes():
    """Six people, two rounds at three tables for two. Anna (a researcher) and Bram (a
    practitioner) share both themes and want to meet each other; the event is about
    loneliness. Eva wants to meet Femke; Carla would rather not meet Dirk."""
    loneliness = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")
    ageing = ThemeFactory(name="Vergrijzing", slug="vergrijzing")
    event, people = closed_event(people=6, rounds=2, tables=3, seats_per_table=2)
    event.themes.set([loneliness])
    anna, bram, carla, dirk, eva, femke = people
    for registration in (anna, bram):
        registration.themes.set([loneliness, ageing])
    bram.role_at_event = RoleAtEvent.PRACTITIONER
    bram.save(update_fields=["role_at_event"])
    anna.wants_to_meet.add(bram)
    bram.wants_to_meet.add(anna)
    eva.wants_to_meet.add(femke)
    carla.rather_not_meet.add(dirk)
    return event


def pairs(schedule) -> list[list[str]]:
    return sorted(names for _round, _table, names in schedule)


@pytest.mark.integration
@pytest.mark.django_db
def test_coordinator_builds_and_publishes_a_schedule_through_the_admin(admin_client, english_site):
    event = event_with_wishes()

    built = run(admin_client, "build_schedule", event)

    link = parse(built.content).find("a", href=f"/meet-and-match/{event.slug}/rooster/")
    assert link.text == "schedule built with 6 meetings. Check it, then publish it."
    schedule = stored(event)
    assert [(r, len(names)) for r, _t, names in schedule] == [(1, 2)] * 3 + [(2, 2)] * 3
    for r in (1, 2):  # everyone sits, once, in each round
        seated = sorted(name for rr, _t, names in schedule if rr == r for name in names)
        assert seated == ["Anna Aalbers", "Bram Bos", "Carla Claes", "Dirk Dekker", "Eva Elst",
                          "Femke Fris"]  # fmt: skip
    met = pairs(schedule)
    assert ["Anna Aalbers", "Bram Bos"] in met
    assert ["Eva Elst", "Femke Fris"] in met
    assert ["Carla Claes", "Dirk Dekker"] not in met
    assert len({tuple(p) for p in met}) == 6  # nobody meets anyone twice
    reasons = {
        tuple(sorted(s.registration.person.name for s in m.seats.all())): m.reason
        for m in Meeting.objects.filter(event=event).prefetch_related("seats__registration__person")
    }
    anna_and_bram = (
        "You share the themes eenzaamheid and vergrijzing; this Meet & Match is about "
        "eenzaamheid; you both wanted to meet each other; you bring research and practice "
        "together."
    )
    assert reasons["Anna Aalbers", "Bram Bos"] == anna_and_bram
    assert reasons["Eva Elst", "Femke Fris"] == "One of you asked to meet the other."
    entry = EventLogEntry.objects.filter(event=event, action="schedule_save").get()
    assert entry.data["source"] == "matching.schedule_builder.build_schedule_proposal"
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED
    assert Message.objects.count() == 0

    published = run(admin_client, "publish_schedule", event, apply="1")

    assert shown(published) == [f"{event.title}: schedule published and mailed to 6 people."]
    event.refresh_from_db()
    assert (event.state, event.sequence) == (EventState.SCHEDULED, 1)
    mails = Message.objects.filter(kind="event_updates")
    assert sorted(m.recipient.name for m in mails) == [
        "Anna Aalbers", "Bram Bos", "Carla Claes", "Dirk Dekker", "Eva Elst", "Femke Fris",
    ]  # fmt: skip
    anna = mails.get(recipient__name="Anna Aalbers")
    assert "- Bram Bos (Practitioner (partner organisation)): Bram Bos brengt\n" in anna.body_text
    assert f"Why you meet: {anna_and_bram}\n" in anna.body_text


@pytest.mark.integration
@pytest.mark.django_db
def test_staff_who_are_not_coordinators_cannot_build_or_publish(client, english_site):
    event = event_with_wishes()
    staff = PartnerMemberFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="events"))
    sign_in_for_admin(client, staff)

    page = client.get(EVENTS)
    build = client.post(EVENTS, {"action": "build_schedule", "_selected_action": [event.pk]})
    publish = client.post(
        EVENTS, {"action": "publish_schedule", "_selected_action": [event.pk], "apply": "1"}
    )

    # Staff with another role are refused at the admin's door.
    assert (page.status_code, build.status_code, publish.status_code) == (403, 403, 403)
    assert stored(event) == []
    assert Event.objects.get(pk=event.pk).state == EventState.REGISTRATION_CLOSED
    assert Message.objects.count() == 0
