"""Simultaneous form posts to the live server, as several signed-in people at once.

Each person gets their own session (one Client per person: logging a second user into
the same client would end the first session) and a fixed CSRF secret, which Django
accepts unmasked in both the cookie and the form.
"""

import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.test import Client

from tests.support.mfa import sign_in_for_admin

CSRF = "c" * 32


def session_cookie(user) -> str:
    client = Client()
    sign_in_for_admin(client, user)
    return client.cookies["sessionid"].value


@dataclass(frozen=True)
class Answer:
    status: int
    final_url: str


def post_as(base_url: str, session: str, path: str, data: dict) -> Answer:
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF, **data}, doseq=True).encode()
    request = urllib.request.Request(  # noqa: S310 (only our own live server)
        f"{base_url}{path}",
        data=body,
        headers={
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "Referer": f"{base_url}{path}",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return Answer(response.status, response.geturl())


def post_all_at_once(base_url: str, posts: list[tuple[str, str, dict]]) -> list[Answer]:
    """Send every (session, path, data) post at the same moment; answers in the same order."""
    barrier = threading.Barrier(len(posts))
    answers: list[Answer | None] = [None] * len(posts)

    def send(index: int, session: str, path: str, data: dict) -> None:
        barrier.wait()
        answers[index] = post_as(base_url, session, path, data)

    threads = [
        threading.Thread(target=send, args=(index, *post)) for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers
