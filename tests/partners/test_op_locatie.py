"""Op Locatie: opening hours kept by coordinators and shown on the site, and questions taken
in at the location as draft challenges, with residents' details kept only until the end."""

import html
import re
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import User
from partners.enums import ChallengeAction, ChallengeState
from partners.models import Challenge, ChallengeLogEntry, OpLocatieOpening, Organisation
from partners.services.challenge_workflow import challenge_transition
from partners.services.errors import ChallengeError
from partners.services.op_locatie import OWN_SLUG, op_locatie_question_take_in
from tests.factories import NeighbourhoodFactory, ThemeFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member, speaks_english
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CAST = ["student", "partner_member", "researcher"]
RESIDENT = {
    "resident_name": "Fatima Bouali",
    "resident_phone": "06-11112222",
    "resident_email": "fatima@example.org",
}


@pytest.fixture
def client(client):
    client.cookies["lms_language"] = "en"
    return client


def text_of(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.text)
    return " ".join(html.unescape(body).split())


def opening(weekday: int, opens: str, closes: str, *, days_from_today: int, note: str = ""):
    return OpLocatieOpening.objects.create(
        weekday=weekday,
        opens_at=time.fromisoformat(opens),
        closes_at=time.fromisoformat(closes),
        valid_from=timezone.localdate() + timedelta(days=days_from_today),
        note=note,
    )


# --- Opening hours ---------------------------------------------------------------------------


@pytest.fixture
def schedules():
    """Last year Tuesdays; since last month Wednesdays; from next month Thursdays."""
    opening(2, "10:00", "16:00", days_from_today=-365)
    opening(3, "10:00", "16:00", days_from_today=-30, note="inloop vanaf 13:00")
    return opening(4, "09:30", "15:00", days_from_today=30)


@pytest.mark.parametrize("url", [reverse("home"), reverse("partners:op-locatie")])
def test_opening_hours_shows_current_and_next_schedule(client, schedules, url):
    text = text_of(client.get(url))

    assert "Wednesday from 10:00 to 16:00 (inloop vanaf 13:00)" in text
    assert "Tuesday from" not in text
    with translation.override("en"):
        with_english_date = date_format(schedules.valid_from, "j F Y")
    assert f"From {with_english_date}: Thursday from 09:30 to 15:00" in text


def test_opening_hours_without_schedule_says_so(client, db):
    text = text_of(client.get(reverse("partners:op-locatie")))

    assert "The opening hours will be announced here soon." in text


def test_opening_hours_home_page_reads_them_in_one_query(
    client, schedules, django_assert_num_queries
):
    # The home page itself reads nothing for an anonymous visitor.
    with django_assert_num_queries(1):
        client.get(reverse("home"))


def test_opening_closing_before_opening_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        opening(3, "16:00", "10:00", days_from_today=0)


def test_opening_weekday_out_of_range_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        opening(8, "10:00", "16:00", days_from_today=0)


def test_opening_admin_coordinator_adds_hours(client, coordinator):
    sign_in_for_admin(client, coordinator)
    today = timezone.localdate()

    response = client.post(
        reverse("admin:partners_oplocatieopening_add"),
        {
            "valid_from": today.isoformat(),
            "weekday": "3",
            "opens_at": "10:00",
            "closes_at": "16:00",
            "note": "",
        },
    )

    assert response.status_code == 302
    assert list(OpLocatieOpening.objects.values_list("weekday", "opens_at", "closes_at")) == [
        (3, time(10), time(16))
    ]


def test_opening_admin_closes_before_opens_is_shown_with_what_was_typed(client, coordinator):
    sign_in_for_admin(client, coordinator)

    response = client.post(
        reverse("admin:partners_oplocatieopening_add"),
        {"valid_from": "2027-01-06", "weekday": "3", "opens_at": "16:00", "closes_at": "10:00"},
    )

    assert response.status_code == 200
    assert OpLocatieOpening.objects.count() == 0
    assert 'value="16:00"' in response.text


@pytest.mark.parametrize("who", [*CAST, "anonymous", "staff_without_role"])
def test_opening_admin_refuses_everyone_but_coordinators(client, request, who):
    if who == "staff_without_role":
        user = request.getfixturevalue("partner_member")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        sign_in_for_admin(client, user)
    elif who != "anonymous":
        sign_in_for_admin(client, request.getfixturevalue(who))
    data = {"valid_from": "2027-01-06", "weekday": "3", "opens_at": "10:00", "closes_at": "16:00"}

    listing = client.get(reverse("admin:partners_oplocatieopening_changelist"))
    added = client.post(reverse("admin:partners_oplocatieopening_add"), data)

    expected = 403 if who == "staff_without_role" else 302
    assert (listing.status_code, added.status_code) == (expected, expected)
    assert OpLocatieOpening.objects.count() == 0


# --- Taking in a question ---------------------------------------------------------------------


def intake(client, **fields):
    data = {
        "asked_by": "resident",
        "organisation": "",
        "title": "Meer ontmoeting in de Kooi",
        "question": "Ik zie mijn buren bijna nooit. Kunnen we iets samen doen?",
        "neighbourhood": "",
    } | fields
    return client.post(reverse("partners:op-locatie-question"), data)


def test_intake_resident_question_becomes_draft_of_leren_met_de_stad(client, coordinator):
    theme = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    kooi = NeighbourhoodFactory(slug="de-kooi", name="De Kooi")
    users_before = User.objects.count()
    sign_in_for_admin(client, coordinator)

    response = intake(client, themes=[theme.pk], neighbourhood=kooi.pk, consent="on", **RESIDENT)

    assert response.status_code == 302
    assert response["Location"] == reverse("partners:op-locatie-questions")
    challenge = Challenge.objects.get()
    assert (challenge.organisation.slug, challenge.organisation.name) == (
        OWN_SLUG,
        "Leren met de Stad",
    )
    assert challenge.organisation.is_verified is True
    assert (challenge.state, challenge.created_by, challenge.title, challenge.question) == (
        ChallengeState.DRAFT,
        coordinator,
        "Meer ontmoeting in de Kooi",
        "Ik zie mijn buren bijna nooit. Kunnen we iets samen doen?",
    )
    assert (challenge.resident_name, challenge.resident_phone, challenge.resident_email) == (
        "Fatima Bouali",
        "06-11112222",
        "fatima@example.org",
    )
    assert list(challenge.themes.all()) == [theme]
    assert list(challenge.neighbourhoods.all()) == [kooi]
    entry = ChallengeLogEntry.objects.get(challenge=challenge)
    assert (entry.action, entry.actor, entry.data) == (
        ChallengeAction.CREATE,
        coordinator,
        {"source": "op_locatie", "asked_by": "resident"},
    )
    # A resident never becomes a user.
    assert User.objects.count() == users_before


def test_intake_organisation_question_goes_under_that_organisation(
    client, coordinator, partner_member
):
    library = organisation_with_member(partner_member)
    sign_in_for_admin(client, coordinator)

    response = intake(client, asked_by="organisation", organisation=library.pk)

    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert (challenge.organisation, challenge.state) == (library, ChallengeState.DRAFT)
    assert (challenge.resident_name, challenge.resident_phone, challenge.resident_email) == (
        "",
        "",
        "",
    )
    assert not Organisation.objects.filter(slug=OWN_SLUG).exists()


def test_intake_twice_uses_one_leren_met_de_stad(client, coordinator):
    sign_in_for_admin(client, coordinator)

    intake(client)
    intake(client, title="Tweede vraag")

    assert Organisation.objects.filter(slug=OWN_SLUG).count() == 1
    assert sorted(Challenge.objects.values_list("title", flat=True)) == [
        "Meer ontmoeting in de Kooi",
        "Tweede vraag",
    ]


def test_intake_form_warns_about_other_residents_details(client, coordinator):
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    sign_in_for_admin(client, coordinator)

    text = text_of(client.get(reverse("partners:op-locatie-question")))

    assert "Never write down names or other details of other residents" in text


@pytest.mark.parametrize(
    ("fields", "field_error"),
    [
        ({"question": ""}, "This field is required."),
        ({"asked_by": "iemand"}, "Select a valid choice. iemand is not one of the available"),
        (RESIDENT, "Ask the resident first, and tick this box if they agree."),
        (
            {"asked_by": "organisation", **RESIDENT, "consent": "on"},
            "Contact details are only for a resident's question. Leave them empty.",
        ),
        ({"resident_email": "geen-adres", "consent": "on"}, "Enter a valid email address."),
    ],
)
def test_intake_bad_input_is_shown_with_what_was_typed(client, coordinator, fields, field_error):
    sign_in_for_admin(client, speaks_english(coordinator))

    response = intake(client, title="Mijn getypte titel", **fields)

    assert response.status_code == 400
    assert field_error in text_of(response)
    assert 'value="Mijn getypte titel"' in response.text
    assert Challenge.objects.count() == 0


@pytest.mark.parametrize("who", CAST)
def test_intake_refuses_non_coordinators(client, request, who):
    sign_in_for_admin(client, request.getfixturevalue(who))

    page = client.get(reverse("partners:op-locatie-question"))
    posted = intake(client)
    questions = client.get(reverse("partners:op-locatie-questions"))

    assert (page.status_code, posted.status_code, questions.status_code) == (404, 404, 404)
    assert Challenge.objects.count() == 0


def test_intake_sends_anonymous_visitors_to_log_in(client, db):
    posted = intake(client)

    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("account_login"))
    assert Challenge.objects.count() == 0


def test_intake_service_refuses_non_coordinator(partner_member, english):
    with pytest.raises(ChallengeError, match=r"Only coordinators can take in questions"):
        op_locatie_question_take_in(
            coordinator=partner_member, asked_by="resident", title="Vraag", question="Waarom?"
        )

    assert Challenge.objects.count() == 0


# --- Residents' details: coordinators only, and gone when the challenge ends ----------------


def test_resident_details_shown_to_coordinators_only(client, coordinator, partner_member):
    library = organisation_with_member(partner_member)
    challenge = challenge_in(ChallengeState.DRAFT, library, **RESIDENT)
    ChallengeLogEntry.objects.create(
        challenge=challenge, action=ChallengeAction.CREATE, data={"source": "op_locatie"}
    )

    sign_in_for_admin(client, coordinator)
    coordinator_text = text_of(client.get(reverse("partners:op-locatie-questions")))
    sign_in_for_admin(client, speaks_english(partner_member))
    member_page = client.get(challenge.get_absolute_url())

    assert "Fatima Bouali · 06-11112222 · fatima@example.org" in coordinator_text
    assert member_page.status_code == 200
    member_text = text_of(member_page)
    assert "Ouderen ontmoeten elkaar" in member_text
    for value in RESIDENT.values():
        assert value not in member_text


def test_questions_list_query_count_does_not_grow(client, coordinator, django_assert_num_queries):
    sign_in_for_admin(client, coordinator)
    for n in range(6):
        op_locatie_question_take_in(
            coordinator=coordinator, asked_by="resident", title=f"Vraag {n}", question="Waarom?",
            **RESIDENT,
        )  # fmt: skip

    # Session, user, the questions with their organisation.
    with django_assert_num_queries(3):
        response = client.get(reverse("partners:op-locatie-questions"))

    assert text_of(response).count("Fatima Bouali") == 6


@pytest.mark.parametrize(
    ("source", "action", "message"),
    [
        (ChallengeState.ACCEPTED, ChallengeAction.CLOSE, ""),
        (ChallengeState.IN_PROGRESS, ChallengeAction.CLOSE, ""),
        (ChallengeState.IN_REVIEW, ChallengeAction.DECLINE, "Past niet bij ons"),
    ],
)
def test_resident_details_blank_after_challenge_ends(
    partner_member, coordinator, source, action, message
):
    library = organisation_with_member(partner_member, budget=5)
    challenge = challenge_in(source, library, **RESIDENT)

    challenge_transition(
        challenge_id=challenge.pk, action=action, actor=coordinator, message=message
    )

    challenge.refresh_from_db()
    assert challenge.state in (ChallengeState.CLOSED, ChallengeState.DECLINED)
    assert (challenge.resident_name, challenge.resident_phone, challenge.resident_email) == (
        "",
        "",
        "",
    )


def test_resident_details_kept_while_the_challenge_runs(partner_member, coordinator):
    library = organisation_with_member(partner_member, budget=5)
    challenge = challenge_in(ChallengeState.ACCEPTED, library, **RESIDENT)

    challenge_transition(challenge_id=challenge.pk, action=ChallengeAction.START, actor=coordinator)

    challenge.refresh_from_db()
    assert challenge.resident_phone == "06-11112222"


def test_resident_details_on_an_ended_challenge_are_refused_by_the_database(partner_member):
    library = organisation_with_member(partner_member)
    challenge = challenge_in(ChallengeState.CLOSED, library)

    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(resident_phone="06-11112222")


def test_coordinator_who_takes_in_a_question_for_leren_met_de_stad_can_submit_it(coordinator):
    challenge = op_locatie_question_take_in(
        coordinator=coordinator,
        asked_by="resident",
        title="Bankjes bij de bibliotheek",
        question="Kunnen er bankjes komen bij de bibliotheek?",
        themes=[ThemeFactory(slug="ontmoeting", name="Ontmoeting")],
    )
    Challenge.objects.filter(pk=challenge.pk).update(
        is_societal=True,
        is_non_commercial=True,
        has_no_consultant_budget=True,
        contact_name="Cora",
        contact_email="cora@lerenmetdestad.nl",
    )

    submitted = challenge_transition(
        challenge_id=challenge.pk, action=ChallengeAction.SUBMIT, actor=coordinator
    )

    assert submitted.state == ChallengeState.SUBMITTED
    assert list(challenge.organisation.memberships.values_list("user", flat=True)) == [
        coordinator.pk
    ]
