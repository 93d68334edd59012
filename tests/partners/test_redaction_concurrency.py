"""Two coordinators redact different words from the same message at the same moment.

With the row lock the second reads the message only after the first has saved it, so both
names are gone. The control run switches the lock off and widens the window between reading
and writing: the second save overwrites the first and one name comes back.
"""

import pytest

from partners.enums import ChallengeAction, ChallengeState
from partners.models import ChallengeLogEntry, ChallengeMessage
from tests.factories import CoordinatorFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member
from tests.support.live_requests import post_all_at_once, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

MESSAGES = "/beheer/partners/challengemessage/"


def race(live_server, message_id: int) -> None:
    posts = [
        (
            session_cookie(CoordinatorFactory()),
            MESSAGES,
            {
                "action": "redact_text",
                "_selected_action": message_id,
                "words": words,
                "reason": "Op verzoek.",
                "apply": "1",
            },
        )
        for words in ("Jansen", "Pietersen")
    ]
    answers = post_all_at_once(live_server.url, posts)
    # Both must really reach the action; a session problem would land on the login page.
    assert [a.final_url for a in answers] == [f"{live_server.url}{MESSAGES}"] * 2


@pytest.fixture
def named(partner_member):
    challenge = challenge_in(ChallengeState.IN_REVIEW, organisation_with_member(partner_member))
    return ChallengeMessage.objects.create(
        challenge=challenge, body="Mevrouw Jansen en meneer Pietersen belden."
    )


def test_two_coordinators_redacting_one_message_at_once_both_keep_their_change(
    live_server, settings, named
):
    settings.RACE_WINDOW_SECONDS = 0.5

    race(live_server, named.pk)

    assert ChallengeMessage.objects.get(pk=named.pk).body == (
        "Mevrouw [verwijderd] en meneer [verwijderd] belden."
    )
    assert ChallengeLogEntry.objects.filter(action=ChallengeAction.REDACT).count() == 2


def test_without_the_lock_one_redaction_is_lost(live_server, settings, named):
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False

    race(live_server, named.pk)

    assert ChallengeMessage.objects.get(pk=named.pk).body in {
        "Mevrouw [verwijderd] en meneer Pietersen belden.",
        "Mevrouw Jansen en meneer [verwijderd] belden.",
    }
