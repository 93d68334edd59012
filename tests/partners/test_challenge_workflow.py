import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from outbox.models import Message
from partners.enums import ChallengeAction as A
from partners.enums import ChallengeState as S
from partners.models import Challenge, ChallengeLogEntry, ChallengeMessage, Membership
from partners.services.challenge_workflow import TRANSITIONS, allowed_actions, challenge_transition
from partners.services.errors import BudgetExceededError, ChallengeError
from partners.services.notifications import challenge_notify
from tests.partners.challenge_setup import challenge_in, neighbourhood, organisation_with_member

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# Every (action, from state) the workflow allows, and where it leads.
ALLOWED = {
    (A.SUBMIT, S.DRAFT): S.SUBMITTED,
    (A.RESUBMIT, S.NEEDS_INFO): S.SUBMITTED,
    (A.TAKE_IN_REVIEW, S.SUBMITTED): S.IN_REVIEW,
    (A.ACCEPT, S.SUBMITTED): S.ACCEPTED,
    (A.ACCEPT, S.IN_REVIEW): S.ACCEPTED,
    (A.DECLINE, S.SUBMITTED): S.DECLINED,
    (A.DECLINE, S.IN_REVIEW): S.DECLINED,
    (A.ASK_INFO, S.SUBMITTED): S.NEEDS_INFO,
    (A.ASK_INFO, S.IN_REVIEW): S.NEEDS_INFO,
    (A.START, S.ACCEPTED): S.IN_PROGRESS,
    (A.CLOSE, S.ACCEPTED): S.CLOSED,
    (A.CLOSE, S.IN_PROGRESS): S.CLOSED,
}
PARTNER_ACTIONS = {A.SUBMIT, A.RESUBMIT}


def actor_for(action, partner_member, coordinator):
    return partner_member if action in PARTNER_ACTIONS else coordinator


@pytest.fixture(autouse=True)
def _english():
    # These tests pin the rules and the exact refusal; the wording is compared in English.
    with translation.override("en"):
        yield


@pytest.fixture
def organisation(partner_member):
    return organisation_with_member(partner_member, budget=5)


@pytest.mark.parametrize(("action", "source"), sorted(ALLOWED, key=str))
def test_transition_allowed_moves_state_logs_and_mails(
    action, source, organisation, partner_member, coordinator
):
    challenge = challenge_in(source, organisation, eligible=True)
    actor = actor_for(action, partner_member, coordinator)

    result = challenge_transition(
        challenge_id=challenge.pk, action=action, actor=actor, message="Graag meer uitleg"
    )

    challenge.refresh_from_db()
    assert result.state == challenge.state == ALLOWED[(action, source)]
    assert challenge.version == 2
    entry = ChallengeLogEntry.objects.get(challenge=challenge, action=action)
    assert (entry.from_state, entry.to_state, entry.actor) == (source, challenge.state, actor)
    # The other side hears of it: one mail per person concerned.
    recipients = sorted(Message.objects.values_list("to_email", flat=True))
    expected = [coordinator.email] if action in PARTNER_ACTIONS else [partner_member.email]
    assert recipients == expected


@pytest.mark.parametrize(
    ("action", "source"),
    [(action, source) for action in TRANSITIONS for source in S if (action, source) not in ALLOWED],
)
def test_transition_refused_from_other_states_changes_nothing(
    action, source, organisation, partner_member, coordinator
):
    challenge = challenge_in(source, organisation, eligible=True)

    with pytest.raises(ChallengeError) as error:
        challenge_transition(
            challenge_id=challenge.pk,
            action=action,
            actor=actor_for(action, partner_member, coordinator),
            message="Graag meer uitleg",
        )

    challenge.refresh_from_db()
    assert (
        str(error.value)
        == f"This cannot be done now: the challenge is {challenge.get_state_display()}."
    )
    assert (challenge.state, challenge.version) == (source, 1)
    assert ChallengeLogEntry.objects.count() == 0
    assert Message.objects.count() == 0


def test_partner_cannot_take_coordinator_actions(organisation, partner_member):
    challenge = challenge_in(S.SUBMITTED, organisation)

    with pytest.raises(ChallengeError, match=re.escape("Only coordinators can do this.")):
        challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=partner_member)


def test_member_of_another_organisation_cannot_submit(organisation, other_partner_member):
    challenge = challenge_in(S.DRAFT, organisation, eligible=True)

    with pytest.raises(
        ChallengeError, match=re.escape("Only members of the organisation can do this.")
    ):
        challenge_transition(challenge_id=challenge.pk, action=A.SUBMIT, actor=other_partner_member)


def test_submit_needs_the_checklist_and_a_contact(organisation, partner_member):
    challenge = challenge_in(S.DRAFT, organisation, contact_email="")
    Challenge.objects.filter(pk=challenge.pk).update(contact_name="")

    with pytest.raises(ChallengeError) as error:
        challenge_transition(challenge_id=challenge.pk, action=A.SUBMIT, actor=partner_member)

    assert str(error.value) == (
        "Before you submit, please: confirm all three points of the checklist; "
        "name a contact person with an email address."
    )
    assert Challenge.objects.get(pk=challenge.pk).state == S.DRAFT


def test_first_submission_time_is_kept_on_resubmit(organisation, partner_member, coordinator):
    challenge = challenge_in(S.DRAFT, organisation, eligible=True)
    challenge_transition(challenge_id=challenge.pk, action=A.SUBMIT, actor=partner_member)
    first = Challenge.objects.get(pk=challenge.pk).submitted_at
    challenge_transition(
        challenge_id=challenge.pk, action=A.ASK_INFO, actor=coordinator, message="Welke wijk?"
    )
    challenge_transition(challenge_id=challenge.pk, action=A.RESUBMIT, actor=partner_member)

    assert Challenge.objects.get(pk=challenge.pk).submitted_at == first


@pytest.mark.parametrize("action", [A.DECLINE, A.ASK_INFO])
def test_decline_and_ask_info_need_a_message_that_lands_in_the_conversation(
    action, organisation, coordinator
):
    challenge = challenge_in(S.IN_REVIEW, organisation)

    with pytest.raises(ChallengeError, match=re.escape("Please write a message")):
        challenge_transition(
            challenge_id=challenge.pk, action=action, actor=coordinator, message="  "
        )
    challenge_transition(
        challenge_id=challenge.pk, action=action, actor=coordinator, message="Welke wijk bedoelt u?"
    )

    assert list(ChallengeMessage.objects.values_list("body", "is_internal")) == [
        ("Welke wijk bedoelt u?", False)
    ]


def test_declined_without_reason_is_refused_by_the_database(organisation):
    challenge = challenge_in(S.IN_REVIEW, organisation)

    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(state=S.DECLINED, decision_reason="")


def test_leaving_draft_without_checklist_is_refused_by_the_database(organisation):
    challenge = challenge_in(S.DRAFT, organisation)

    with pytest.raises(IntegrityError), transaction.atomic():
        Challenge.objects.filter(pk=challenge.pk).update(state=S.SUBMITTED)


def test_stale_version_is_refused_with_what_happened(organisation, partner_member, coordinator):
    challenge = challenge_in(S.SUBMITTED, organisation)
    challenge_transition(challenge_id=challenge.pk, action=A.TAKE_IN_REVIEW, actor=coordinator)

    with pytest.raises(ChallengeError) as error:
        challenge_transition(
            challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator, expected_version=1
        )

    assert str(error.value) == (
        "Someone else changed this challenge in the meantime. It is now: In review. "
        "Look at it again before you go on."
    )


def test_second_click_is_refused_and_sends_nothing_twice(organisation, partner_member, coordinator):
    challenge = challenge_in(S.IN_REVIEW, organisation)
    challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)

    with pytest.raises(ChallengeError, match=re.escape("the challenge is Accepted")):
        challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)

    assert ChallengeLogEntry.objects.filter(action=A.ACCEPT).count() == 1
    assert Message.objects.filter(to_email=partner_member.email).count() == 1


def test_each_member_gets_one_mail_and_the_actor_none(
    organisation, partner_member, coordinator, other_partner_member
):
    Membership.objects.create(user=other_partner_member, organisation=organisation)
    challenge = challenge_in(S.IN_REVIEW, organisation)

    challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)

    assert sorted(Message.objects.values_list("to_email", flat=True)) == sorted(
        [partner_member.email, other_partner_member.email]
    )


def test_accept_needs_a_verified_organisation(partner_member, coordinator):
    organisation = organisation_with_member(partner_member, verified=False)
    challenge = challenge_in(S.IN_REVIEW, organisation)

    with pytest.raises(
        ChallengeError, match=re.escape("Verify the organisation Bibliotheek Leiden-Noord first.")
    ):
        challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)


def test_accept_beyond_team_budget_needs_an_override_reason_which_is_logged(
    partner_member, coordinator
):
    organisation = organisation_with_member(partner_member, budget=1)
    challenge_in(S.ACCEPTED, organisation, title="Al geaccepteerd")
    challenge = challenge_in(S.IN_REVIEW, organisation)

    with pytest.raises(BudgetExceededError) as error:
        challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)
    assert error.value.over == ["Bibliotheek Leiden-Noord: 2/1"]
    assert Challenge.objects.get(pk=challenge.pk).state == S.IN_REVIEW

    challenge_transition(
        challenge_id=challenge.pk,
        action=A.ACCEPT,
        actor=coordinator,
        override_reason="Extra begeleider geregeld",
    )

    override = ChallengeLogEntry.objects.get(challenge=challenge, action=A.BUDGET_OVERRIDE)
    assert (override.actor, override.message, override.data) == (
        coordinator,
        "Extra begeleider geregeld",
        {"over": ["Bibliotheek Leiden-Noord: 2/1"]},
    )
    assert Challenge.objects.get(pk=challenge.pk).state == S.ACCEPTED


def test_accept_beyond_neighbourhood_budget_needs_an_override(partner_member, coordinator):
    organisation = organisation_with_member(partner_member, budget=5)
    kooi = neighbourhood("De Kooi", budget=10)
    challenge_in(S.ACCEPTED, organisation, contacts=8, neighbourhood=kooi, title="Eerder")
    challenge = challenge_in(S.IN_REVIEW, organisation, contacts=4, neighbourhood=kooi)

    with pytest.raises(BudgetExceededError) as error:
        challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)

    assert error.value.over == ["De Kooi 02-2027: 12/10", "De Kooi 03-2027: 12/10"]


def test_allowed_actions_per_side(organisation):
    challenge = challenge_in(S.IN_REVIEW, organisation)

    assert allowed_actions(challenge, coordinator=True) == [A.ACCEPT, A.DECLINE, A.ASK_INFO]
    assert allowed_actions(challenge, coordinator=False) == []


def test_notifying_the_same_transition_twice_queues_nothing_more(
    organisation, partner_member, coordinator
):
    challenge = challenge_in(S.IN_REVIEW, organisation)
    challenge_transition(challenge_id=challenge.pk, action=A.ACCEPT, actor=coordinator)
    entry = ChallengeLogEntry.objects.get(action=A.ACCEPT)

    again = challenge_notify(challenge=Challenge.objects.get(pk=challenge.pk), entry=entry)

    assert again == 0
    assert Message.objects.filter(to_email=partner_member.email).count() == 1
    assert Message.objects.get().dedupe_key == f"challenge-log:{entry.pk}:{partner_member.pk}"
