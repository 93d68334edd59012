"""Follow-ups after a Meet & Match: plan the next appointment, turn it into a draft challenge
for the partner's organisation, or link it to a challenge or project. Only for the person
whose registration it is."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from events.enums import EventState, RoleAtEvent
from events.models import Event, FollowUp, Meeting
from events.services.errors import EventError
from events.services.follow_ups import follow_up_record, follow_up_to_challenge
from events.services.schedule import schedule_publish, schedule_save
from outbox.models import Message
from partners.enums import ChallengeState
from partners.models import Challenge, ChallengeLogEntry
from tests.events.test_schedule_service import closed_event, four_way
from tests.factories import PartnerMemberFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import ChallengeFactory, ProjectFactory
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    # These tests pin the refusals' exact wording, which is compared in English.
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(coordinator):
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    return coordinator


@pytest.fixture
def library():
    return OrganisationFactory(name="Bibliotheek Leiden-Noord", slug="bibliotheek-noord")


def held_event(coordinator, library, *, state=EventState.HELD, days_ago: int = 2):
    """Anna and Bram (researchers) and Carla, a practitioner of the library, and Dirk.
    Round 1: Anna+Bram, Carla+Dirk. Round 2: Anna+Carla, Bram+Dirk. The event was
    `days_ago` days ago (negative: still to come)."""
    event, (a, b, c, d) = closed_event()
    carla = PartnerMemberFactory(name="Carla Claes", language="en")
    MembershipFactory(user=carla, organisation=library)
    c.person = carla
    c.role_at_event = RoleAtEvent.PRACTITIONER
    c.save(update_fields=["person", "role_at_event"])
    for registration in (a, b, d):
        registration.person.language = "en"
        registration.person.save(update_fields=["language"])
    schedule_save(event_id=event.pk, proposal=four_way(a, b, c, d), actor=coordinator)
    schedule_publish(event_id=event.pk, actor=coordinator)
    starts = timezone.now() - timedelta(days=days_ago)
    # Test set-up straight in the table: the event happened in the past.
    Event.objects.filter(pk=event.pk).update(
        state=state,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        first_round_at=starts + timedelta(minutes=30),
        registration_deadline=starts - timedelta(days=7),
    )
    event.refresh_from_db()
    return event, (a, b, c, d)


def at(event, r: int, t: int) -> Meeting:
    return Meeting.objects.get(event=event, round=r, table=t)


def signed_in(client, user):
    sign_in_for_admin(client, user)
    client.cookies["django_language"] = "en"
    return client


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Recording ----------------------------------------------------------------------------


def test_participant_records_a_follow_up_for_a_meeting(client, coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    client = signed_in(client, a.person)
    meeting = at(event, 2, 1)
    page = parse(client.get(f"/meet-and-match/{event.slug}/vervolg/").content)
    assert [card.find("h2").text for card in page.find_all("article", class_="card")] == [
        "Round 1, table 1",
        "Round 2, table 1",
    ]
    # At a table for two, the one other person is already chosen.
    select = page.find("select", id=f"with-{meeting.pk}")
    assert [o.text for o in select.find_all("option") if "selected" in o.attrs] == ["Carla Claes"]

    response = client.post(
        f"/meet-and-match/{event.slug}/vervolg/gesprek/{meeting.pk}/",
        {
            "with_person": c.person.pk,
            "planned_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "note": "Hoe bereiken we ouderen die niet naar de bibliotheek komen?",
        },
        follow=True,
    )

    assert response.redirect_chain == [
        (f"/meet-and-match/{event.slug}/vervolg/#gesprek-{meeting.pk}", 302)
    ]
    assert shown(response) == ["Your follow-up is saved."]
    assert list(
        FollowUp.objects.values_list("registration", "meeting", "with_person", "planned_on", "note")
    ) == [
        (
            a.pk,
            meeting.pk,
            c.person.pk,
            timezone.localdate() + timedelta(days=10),
            "Hoe bereiken we ouderen die niet naar de bibliotheek komen?",
        )
    ]
    card = parse(response.content).find("article", id=f"gesprek-{meeting.pk}")
    follow_up = FollowUp.objects.get()
    to_challenge = card.find(
        "form", action=f"/meet-and-match/{event.slug}/vervolg/{follow_up.pk}/vraagstuk/"
    )
    assert to_challenge.find("button").text == "Make a draft challenge"
    assert "Carla Claes gets it as a draft" in to_challenge.text
    assert card.find("dl").text == (
        f"Next appointment {(timezone.localdate() + timedelta(days=10)):%-d %B %Y} · "
        "with Carla Claes"
    )


def test_recording_again_changes_the_one_follow_up(coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    meeting = at(event, 2, 1)
    follow_up_record(
        registration=a, meeting=meeting, with_person=c.person, planned_on=None, note="Eerst"
    )

    follow_up_record(
        registration=a, meeting=meeting, with_person=c.person, planned_on=None, note="Daarna"
    )

    assert list(FollowUp.objects.values_list("note", flat=True)) == ["Daarna"]


def test_follow_up_with_someone_not_at_the_meeting_is_refused_and_the_form_kept(
    client, coordinator, library
):
    event, (a, b, _c, _d) = held_event(coordinator, library)
    meeting = at(event, 2, 1)  # Anna and Carla; Bram was not there

    response = signed_in(client, a.person).post(
        f"/meet-and-match/{event.slug}/vervolg/gesprek/{meeting.pk}/",
        {"with_person": b.person.pk, "planned_on": "2099-01-05", "note": "Mijn idee"},
    )

    assert response.status_code == 200
    card = parse(response.content).find("article", id=f"gesprek-{meeting.pk}")
    assert card.find("p", id=f"with-{meeting.pk}-error").text == (
        "Choose someone who was at this meeting with you."
    )
    assert card.find("input", name="planned_on").attrs["value"] == "2099-01-05"
    assert card.find("textarea").text == "Mijn idee"
    assert FollowUp.objects.count() == 0


def test_follow_up_before_the_event_is_over_is_refused(client, coordinator, library):
    event, (a, _b, c, _d) = held_event(
        coordinator, library, state=EventState.SCHEDULED, days_ago=-3
    )
    meeting = at(event, 2, 1)

    with pytest.raises(EventError) as refused:
        follow_up_record(
            registration=a, meeting=meeting, with_person=c.person, planned_on=None, note=""
        )
    page = parse(signed_in(client, a.person).get(f"/meet-and-match/{event.slug}/vervolg/").content)

    assert str(refused.value) == "You can plan follow-ups after the event."
    assert page.find("div", class_="notice").text == "You can plan follow-ups after the event."
    assert (
        page.find_all("form", action=f"/meet-and-match/{event.slug}/vervolg/gesprek/{meeting.pk}/")
        == []
    )


def test_scheduled_event_whose_end_has_passed_takes_follow_ups(coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library, state=EventState.SCHEDULED)

    follow_up = follow_up_record(
        registration=a,
        meeting=at(event, 2, 1),
        with_person=c.person,
        planned_on=date.today() + timedelta(days=3),  # noqa: DTZ011 (a calendar date)
        note="",
    )

    assert follow_up.with_person == c.person


def test_follow_up_date_before_the_event_is_refused(coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)

    with pytest.raises(EventError) as refused:
        follow_up_record(
            registration=a,
            meeting=at(event, 2, 1),
            with_person=c.person,
            planned_on=timezone.localdate(event.starts_at) - timedelta(days=1),
            note="",
        )

    assert (str(refused.value), refused.value.field) == (
        "The follow-up appointment cannot be before the event.",
        "planned_on",
    )


# --- To a draft challenge ---------------------------------------------------------------


def test_follow_up_becomes_a_draft_challenge_for_the_partners_organisation(
    client, coordinator, library
):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    meeting = at(event, 2, 1)
    follow_up = follow_up_record(
        registration=a,
        meeting=meeting,
        with_person=c.person,
        planned_on=None,
        note="Hoe bereiken we ouderen die niet naar de bibliotheek komen?\nMet Anna's onderzoek.",
    )

    response = signed_in(client, a.person).post(
        f"/meet-and-match/{event.slug}/vervolg/{follow_up.pk}/vraagstuk/", follow=True
    )

    challenge = Challenge.objects.get()
    assert shown(response) == [
        (
            "A draft challenge for Bibliotheek Leiden-Noord is ready. The organisation reads it "
            "and decides whether to submit it."
        )
    ]
    assert (
        challenge.organisation,
        challenge.state,
        challenge.created_by,
        challenge.title,
        challenge.question,
        challenge.contact_name,
        challenge.contact_email,
    ) == (
        library,
        ChallengeState.DRAFT,
        c.person,
        "Hoe bereiken we ouderen die niet naar de bibliotheek komen?",
        "Hoe bereiken we ouderen die niet naar de bibliotheek komen?\nMet Anna's onderzoek.",
        "Carla Claes",
        c.person.email,
    )
    assert challenge.background.startswith(f"This question came from a meeting at {event.title}")
    assert "between Anna Aalbers, Carla Claes." in challenge.background
    assert FollowUp.objects.get().challenge == challenge
    # Anna wrote the note: the history says so, though the draft is Carla's organisation's.
    assert list(ChallengeLogEntry.objects.values_list("action", "actor")) == [
        ("create", a.person.pk)
    ]
    mail = Message.objects.get(kind="challenge_updates")
    assert (mail.recipient, mail.subject) == (
        c.person,
        f"A draft challenge from {event.title}",
    )
    assert f"/vraagstukken/{challenge.pk}/" in mail.body_text


def test_practitioner_makes_the_draft_themselves_without_a_mail(coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    follow_up = follow_up_record(
        registration=c, meeting=at(event, 2, 1), with_person=a.person, planned_on=None, note="Vraag"
    )

    challenge = follow_up_to_challenge(follow_up_id=follow_up.pk, actor=c.person)

    assert (challenge.organisation, challenge.created_by) == (library, c.person)
    assert list(challenge.log.values_list("actor", flat=True)) == [c.person.pk]
    assert Message.objects.filter(kind="challenge_updates").count() == 0


def test_draft_challenge_needs_a_partner_member_at_the_meeting_and_a_note(
    client, coordinator, library
):
    event, (a, b, c, _d) = held_event(coordinator, library)
    researchers_only = follow_up_record(
        registration=a, meeting=at(event, 1, 1), with_person=b.person, planned_on=None, note="Idee"
    )
    without_note = follow_up_record(
        registration=a, meeting=at(event, 2, 1), with_person=c.person, planned_on=None, note=""
    )

    with pytest.raises(EventError) as nobody:
        follow_up_to_challenge(follow_up_id=researchers_only.pk, actor=a.person)
    with pytest.raises(EventError) as no_note:
        follow_up_to_challenge(follow_up_id=without_note.pk, actor=a.person)

    assert str(nobody.value) == (
        "Nobody at this meeting is a member of a partner organisation, so there is no "
        "organisation to write a challenge for."
    )
    assert str(no_note.value) == "Write a note first: it becomes the question of the challenge."
    assert Challenge.objects.count() == 0


def test_partner_in_several_organisations_chooses_one(coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    housing = OrganisationFactory(name="Woonstichting De Sleutels")
    MembershipFactory(user=c.person, organisation=housing)
    follow_up = follow_up_record(
        registration=a, meeting=at(event, 2, 1), with_person=c.person, planned_on=None, note="Vraag"
    )

    with pytest.raises(EventError) as choose:
        follow_up_to_challenge(follow_up_id=follow_up.pk, actor=a.person)
    challenge = follow_up_to_challenge(
        follow_up_id=follow_up.pk, actor=a.person, organisation_id=housing.pk
    )

    assert str(choose.value) == "Carla Claes is a member of several organisations: choose one."
    assert challenge.organisation == housing


# --- Linking ------------------------------------------------------------------------------


def test_follow_up_links_to_a_challenge_or_project_of_the_partner(client, coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    challenge = ChallengeFactory(organisation=library, title="Ouderen en de bibliotheek")
    project = ProjectFactory(challenge=challenge, title="Voorlezen in de wijk")
    elsewhere = ChallengeFactory(title="Iets anders")
    follow_up = follow_up_record(
        registration=a, meeting=at(event, 2, 1), with_person=c.person, planned_on=None, note=""
    )
    client = signed_in(client, a.person)
    url = f"/meet-and-match/{event.slug}/vervolg/{follow_up.pk}/koppelen/"

    page = parse(client.get(f"/meet-and-match/{event.slug}/vervolg/").content)
    options = page.find("select", id=f"link-{follow_up.pk}").find_all("option")
    assert [o.text for o in options] == [
        "-",
        "Ouderen en de bibliotheek · Bibliotheek Leiden-Noord",
        "Voorlezen in de wijk",
    ]

    refused = client.post(url, {"target": f"challenge-{elsewhere.pk}"}, follow=True)
    assert shown(refused) == ["You cannot link this challenge."]
    linked = client.post(url, {"target": f"challenge-{challenge.pk}"}, follow=True)
    assert shown(linked) == ["The follow-up is linked."]
    client.post(url, {"target": f"project-{project.pk}"})

    follow_up.refresh_from_db()
    assert (follow_up.challenge, follow_up.project) == (challenge, project)


# --- Whose it is --------------------------------------------------------------------------


def test_only_the_participant_acts_on_their_follow_ups(client, coordinator, library):
    event, (a, b, c, _d) = held_event(coordinator, library)
    follow_up = follow_up_record(
        registration=a, meeting=at(event, 2, 1), with_person=c.person, planned_on=None, note="Vraag"
    )
    slug = event.slug

    for intruder in (b.person, c.person, coordinator):
        signed_in(client, intruder)
        assert (
            client.post(f"/meet-and-match/{slug}/vervolg/{follow_up.pk}/vraagstuk/").status_code
            == 404
        )
        assert (
            client.post(
                f"/meet-and-match/{slug}/vervolg/{follow_up.pk}/koppelen/", {"target": "project-1"}
            ).status_code
            == 404
        )
    # Bram was not at Anna and Carla's table: he cannot record a follow-up for it.
    signed_in(client, b.person)
    assert (
        client.post(
            f"/meet-and-match/{slug}/vervolg/gesprek/{at(event, 2, 1).pk}/",
            {"with_person": c.person.pk},
        ).status_code
        == 404
    )
    # The coordinator had no seat: no follow-up page either.
    signed_in(client, coordinator)
    assert client.get(f"/meet-and-match/{slug}/vervolg/").status_code == 404
    with pytest.raises(EventError):
        follow_up_to_challenge(follow_up_id=follow_up.pk, actor=c.person)
    assert Challenge.objects.count() == 0
    assert FollowUp.objects.count() == 1


def test_coordinators_read_follow_ups_in_the_admin(client, coordinator, library):
    event, (a, _b, c, _d) = held_event(coordinator, library)
    follow_up_record(
        registration=a,
        meeting=at(event, 2, 1),
        with_person=c.person,
        planned_on=date(2099, 1, 5),
        note="Vraag",
    )
    staff = PartnerMemberFactory(is_staff=True)

    page = parse(signed_in(client, coordinator).get("/beheer/events/followup/").content)
    signed_in(client, staff)
    refused = client.get("/beheer/events/followup/")

    rows = [
        [cell.text for cell in row.find_all() if cell.tag in {"th", "td"}]
        for row in page.find("table", id="result_list").find("tbody").find_all("tr")
    ]
    assert rows == [["Anna Aalbers", event.title, "Carla Claes", "Jan. 5, 2099", "-", "-"]]
    assert refused.status_code == 403
