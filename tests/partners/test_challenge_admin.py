import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.enums import ChallengeAction, ChallengeState
from partners.models import Challenge, ChallengeLogEntry, Theme
from tests.factories import PartnerMemberFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member, speaks_english
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def partner_member(partner_member):
    return speaks_english(partner_member)


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


QUEUE = "/beheer/partners/challenge/"


@pytest.fixture
def organisation(partner_member):
    return organisation_with_member(partner_member, budget=5)


def make_challenges(organisation, count):
    extra = Theme.objects.get_or_create(slug="vergrijzing", defaults={"name": "Vergrijzing"})[0]
    for n in range(count):
        challenge = challenge_in(ChallengeState.SUBMITTED, organisation, title=f"Vraag {n}")
        challenge.themes.add(extra)


def queue_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_review_queue_runs_the_same_queries_for_1_and_30_challenges(
    client, coordinator, organisation
):
    sign_in_for_admin(client, coordinator)
    make_challenges(organisation, 1)
    one = queue_queries(client, QUEUE)
    make_challenges(organisation, 29)
    thirty = queue_queries(client, QUEUE)

    assert one == thirty


def test_review_queue_filters_by_state_theme_and_age(client, coordinator, organisation):
    sign_in_for_admin(client, coordinator)
    challenge_in(ChallengeState.SUBMITTED, organisation, title="Nieuw")
    challenge_in(ChallengeState.DRAFT, organisation, title="Concept")

    submitted = client.get(
        QUEUE,
        {
            "state__exact": "submitted",
            "themes__id__exact": Theme.objects.get().pk,
            "waiting": "week",
        },
    )

    assert [c.title for c in submitted.context["cl"].result_list] == ["Nieuw"]


def test_accept_action_shows_the_load_then_accepts(
    client, coordinator, organisation, partner_member
):
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    sign_in_for_admin(client, coordinator)

    confirm = client.post(
        QUEUE, {"action": "accept_challenges", "_selected_action": [challenge.pk]}
    )
    assert confirm.status_code == 200
    assert "Teams at Bibliotheek Leiden-Noord: 1 / 5" in confirm.content.decode()

    client.post(
        QUEUE, {"action": "accept_challenges", "_selected_action": [challenge.pk], "apply": "1"}
    )

    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.ACCEPTED


def test_accept_beyond_budget_in_the_admin_needs_and_logs_the_reason(
    client, coordinator, partner_member
):
    organisation = organisation_with_member(partner_member, budget=0)
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    sign_in_for_admin(client, coordinator)

    refused = client.post(
        QUEUE,
        {"action": "accept_challenges", "_selected_action": [challenge.pk], "apply": "1"},
        follow=True,
    )
    assert (
        "Accepting goes over a budget (Bibliotheek Leiden-Noord: 1/0)." in refused.content.decode()
    )
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.IN_REVIEW

    client.post(
        QUEUE,
        {
            "action": "accept_challenges",
            "_selected_action": [challenge.pk],
            "apply": "1",
            "override_reason": "Tijdelijk extra ruimte",
        },
    )

    assert list(
        ChallengeLogEntry.objects.filter(action=ChallengeAction.BUDGET_OVERRIDE).values_list(
            "message", flat=True
        )
    ) == ["Tijdelijk extra ruimte"]


def test_decline_action_without_a_reason_is_refused(client, coordinator, organisation):
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    sign_in_for_admin(client, coordinator)

    response = client.post(
        QUEUE,
        {"action": "decline_challenges", "_selected_action": [challenge.pk], "apply": "1"},
        follow=True,
    )

    assert (
        "Please write a message to the organisation: it is required here."
        in response.content.decode()
    )
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.IN_REVIEW


def test_staff_who_are_not_coordinators_cannot_decide(client, organisation):
    staff = PartnerMemberFactory(is_staff=True)
    staff.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename__in=["view_challenge", "change_challenge"])
    )
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    sign_in_for_admin(client, staff)

    response = client.post(
        QUEUE, {"action": "accept_challenges", "_selected_action": [challenge.pk], "apply": "1"}
    )

    # Model permissions do not make a coordinator: the queue itself is closed to them.
    assert response.status_code == 403
    assert Challenge.objects.get(pk=challenge.pk).state == ChallengeState.IN_REVIEW
    assert ChallengeLogEntry.objects.count() == 0


def test_decision_page_has_one_main_heading(client, coordinator, organisation):
    # Django's admin layout already shows the title as the page's h1; the template added a
    # second one with the same words.
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation)
    sign_in_for_admin(client, coordinator)

    confirm = client.post(
        QUEUE, {"action": "accept_challenges", "_selected_action": [challenge.pk]}
    )

    assert [h1.text for h1 in parse(confirm.content).find_all("h1")] == ["Accept"]
