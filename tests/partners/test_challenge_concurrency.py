"""Two coordinators decide on the same challenge at the same moment, through the admin.

With the row lock the second waits for the first and is then refused, so there is one
decision and one mail per person. The control run switches the lock off and widens the
window between reading and writing: both decisions go through, which shows the lock is
what prevents it.
"""

import pytest

from outbox.models import Message
from partners.enums import ChallengeAction, ChallengeState
from partners.models import Challenge, ChallengeLogEntry
from tests.factories import CoordinatorFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member
from tests.support.live_requests import post_all_at_once, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

QUEUE = "/beheer/partners/challenge/"


def race(live_server, challenge_id: int) -> list[int]:
    """One coordinator accepts and another declines, at the same moment."""
    decisions = [
        (ChallengeAction.ACCEPT, ""),
        (ChallengeAction.DECLINE, "Past niet bij het programma"),
    ]
    posts = [
        (
            session_cookie(CoordinatorFactory()),
            QUEUE,
            {
                "action": f"{action}_challenges",
                "_selected_action": challenge_id,
                "apply": "1",
                "message": message,
            },
        )
        for action, message in decisions
    ]
    answers = post_all_at_once(live_server.url, posts)
    # Both must really reach the action; a session problem would land on the login page.
    assert [a.final_url for a in answers] == [f"{live_server.url}{QUEUE}"] * 2
    return [a.status for a in answers]


@pytest.fixture
def contested(partner_member):
    organisation = organisation_with_member(partner_member, budget=5)
    return challenge_in(ChallengeState.IN_REVIEW, organisation)


def test_two_coordinators_at_once_make_one_decision(
    live_server, settings, contested, partner_member
):
    settings.RACE_WINDOW_SECONDS = 0.5

    statuses = race(live_server, contested.pk)

    assert statuses == [200, 200]
    decisions = ChallengeLogEntry.objects.filter(
        challenge=contested, action__in=[ChallengeAction.ACCEPT, ChallengeAction.DECLINE]
    )
    assert decisions.count() == 1
    decision = decisions.get()
    assert Challenge.objects.get(pk=contested.pk).state == decision.to_state
    assert Challenge.objects.get(pk=contested.pk).version == 2
    assert Message.objects.filter(to_email=partner_member.email).count() == 1


def test_without_the_lock_both_decisions_go_through(
    live_server, settings, contested, partner_member
):
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False

    race(live_server, contested.pk)

    decisions = ChallengeLogEntry.objects.filter(
        challenge=contested, action__in=[ChallengeAction.ACCEPT, ChallengeAction.DECLINE]
    )
    assert decisions.count() == 2
    assert Message.objects.filter(to_email=partner_member.email).count() == 2
