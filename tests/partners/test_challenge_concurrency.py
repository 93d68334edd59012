"""Two coordinators decide on the same challenge at the same moment, through the admin.

With the row lock the second waits for the first and is then refused, so there is one
decision and one mail per person. The control run switches the lock off and widens the
window between reading and writing: both decisions go through, which shows the lock is
what prevents it.
"""

import threading
import urllib.parse
import urllib.request

import pytest
from django.test import Client

from outbox.models import Message
from partners.enums import ChallengeAction, ChallengeState
from partners.models import Challenge, ChallengeLogEntry
from tests.factories import CoordinatorFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

CSRF = "c" * 32  # Django accepts the unmasked 32-character secret in form and cookie


def session_cookie(user) -> str:
    # One client per person: logging a second user into the same client ends the first session.
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def decide(base_url: str, session: str, *, challenge_id: int, action: str, message: str) -> int:
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": CSRF,
            "action": f"{action}_challenges",
            "_selected_action": challenge_id,
            "apply": "1",
            "message": message,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (our own live server)
        f"{base_url}/beheer/partners/challenge/",
        data=body,
        headers={
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "Referer": f"{base_url}/beheer/partners/challenge/",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        # Both must really reach the action; a session problem would land on the login page.
        assert response.geturl() == f"{base_url}/beheer/partners/challenge/"
        return response.status


def race(live_server, challenge_id: int) -> list[int]:
    first, second = CoordinatorFactory(), CoordinatorFactory()
    sessions = [session_cookie(first), session_cookie(second)]
    decisions = [
        (ChallengeAction.ACCEPT, ""),
        (ChallengeAction.DECLINE, "Past niet bij het programma"),
    ]
    start = threading.Barrier(2)
    statuses: list[int] = []

    def act(session, decision):
        start.wait()
        statuses.append(
            decide(
                live_server.url,
                session,
                challenge_id=challenge_id,
                action=decision[0],
                message=decision[1],
            )
        )

    threads = [
        threading.Thread(target=act, args=pair) for pair in zip(sessions, decisions, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


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
