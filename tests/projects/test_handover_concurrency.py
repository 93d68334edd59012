"""Sanne and Tom save the handover at the same moment, both from version 0, on a live server.

With the lock on the dossier's row the second save waits for the first, then sees version 1
and is refused as a conflict: Tom gets his own text back next to Sanne's, and the history
holds one version. The control run switches the lock off and widens the window between the
version check and the write: both pass the check, the second write fails on the database's
unique version number, and Tom gets a server error instead of his text, which shows the lock
is what keeps his edit.
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from django.urls import reverse

from projects.models import HandoverDossier, HandoverDossierVersion
from projects.services.handover import dossier_for
from tests.projects.test_handover_setup import build_scene
from tests.support.live_requests import CSRF, session_cookie

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Reply:
    status: int
    body: str


def post(base_url: str, session: str, path: str, data: dict) -> Reply:
    """Like tests.support.live_requests.post_as, but a refusal (409) or an error (500) is an
    answer to look at, not an exception."""
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF, **data}).encode()
    request = urllib.request.Request(  # noqa: S310 (only our own live server)
        f"{base_url}{path}",
        data=body,
        headers={"Cookie": f"sessionid={session}; csrftoken={CSRF}", "Referer": base_url + path},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return Reply(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read().decode())


def both_save(live_server, scene) -> dict[str, Reply]:
    dossier = dossier_for(scene.first)
    path = reverse("projects:handover", args=[scene.first.pk])
    texts = {"sanne": "Sanne: begin bij de bibliotheek.", "tom": "Tom: bel eerst het buurthuis."}
    sessions = {"sanne": session_cookie(scene.sanne), "tom": session_cookie(scene.tom)}
    barrier = threading.Barrier(2)
    replies: dict[str, Reply] = {}

    def send(who: str) -> None:
        barrier.wait()
        replies[who] = post(
            live_server.url,
            sessions[who],
            path,
            {"base_version": dossier.version, "advice": texts[who]},
        )

    threads = [threading.Thread(target=send, args=(who,)) for who in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return replies


@pytest.fixture
def scene(student, partner_member):
    return build_scene(student=student, partner_member=partner_member)


def test_two_saves_at_once_keep_both_texts(live_server, settings, scene):
    settings.RACE_WINDOW_SECONDS = 0.5

    replies = both_save(live_server, scene)

    assert sorted(reply.status for reply in replies.values()) == [200, 409]
    saved, refused = sorted(replies, key=lambda who: replies[who].status)
    dossier = HandoverDossier.objects.get(cohort=scene.first)
    assert dossier.version == 1
    assert dossier.advice.startswith(saved.capitalize())
    assert list(HandoverDossierVersion.objects.values_list("number", "content__advice")) == [
        (1, dossier.advice)
    ]
    # The refused person's own text comes back in the form, the other's beside it.
    assert refused.capitalize() + ":" in replies[refused].body
    assert dossier.advice in replies[refused].body


def test_without_the_lock_the_second_save_is_lost_in_an_error(live_server, settings, scene):
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False

    replies = both_save(live_server, scene)

    assert sorted(reply.status for reply in replies.values()) == [200, 500]
    lost = next(who for who, reply in replies.items() if reply.status == 500)
    assert lost.capitalize() + ":" not in replies[lost].body
    assert HandoverDossierVersion.objects.count() == 1
