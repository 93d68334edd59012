"""Mail as it really leaves: a Celery worker process, Redis, PostgreSQL and an SMTP server."""

import re

import pytest
from django.urls import reverse

from outbox.enums import MessageKind
from outbox.models import Message
from outbox.services import message_queue
from tests.factories import UserFactory
from tests.fixtures.celery_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Generous: a cold worker imports Django before its first task.
DELIVERY_TIMEOUT = 30
CONFIRM_LINK = re.compile(r"/account/e-mail/bevestigen/([-:\w]+)/")


def wait_for_status(message: Message, status: str) -> Message | None:
    return wait_until(
        lambda: Message.objects.filter(pk=message.pk, status=status).first(),
        timeout=DELIVERY_TIMEOUT,
        interval=0.2,
    )


def test_worker_sends_a_queued_message_once_with_its_message_id(celery_worker, smtp_inbox):
    person = UserFactory(email="wessel@example.org")

    # No surrounding transaction: it commits at once and the task goes to Redis.
    message = message_queue(
        to_email=person.email,
        kind=MessageKind.PROJECT_UPDATES,
        subject="Nieuws over je project",
        body_text="Er is nieuws.",
        language="nl",
        user=person,
    )

    sent = wait_for_status(message, "sent")
    assert sent is not None, celery_worker.log()
    received = smtp_inbox.wait_for(1, timeout=5)
    assert [m["Message-ID"] for m in received] == [message.message_id]
    assert received[0]["To"] == "wessel@example.org"
    assert received[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (sent.attempts, sent.last_error) == (1, "")


def test_worker_retries_after_a_temporary_refusal(celery_worker, smtp_inbox):
    person = UserFactory(email="bezet@example.org")
    smtp_inbox.refuse_next("451 4.3.0 Mailbox busy, try again later")

    message = message_queue(
        to_email=person.email,
        kind=MessageKind.REMINDERS,
        subject="Herinnering",
        body_text="Morgen begint je project.",
        language="nl",
        user=person,
    )

    sent = wait_for_status(message, "sent")
    assert sent is not None, celery_worker.log()
    # The first attempt was refused, the retry went through: one mail, one Message-ID.
    assert sent.attempts == 2
    assert [m["Message-ID"] for m in smtp_inbox.messages] == [message.message_id]


def test_worker_delivers_the_signup_verification_mail(client, celery_worker, smtp_inbox):
    password = "Leiden-Noord-2026!"

    response = client.post(
        reverse("account_signup"),
        {
            "email": "nieuw@student.hsleiden.nl",
            "name": "Nina Nieuw",
            "role": "student",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 302
    message = Message.objects.get(to_email="nieuw@student.hsleiden.nl")
    sent = wait_for_status(message, "sent")
    assert sent is not None, celery_worker.log()
    received = smtp_inbox.wait_for(1, timeout=5)
    assert [m["Message-ID"] for m in received] == [message.message_id]
    text = received[0].get_body(("plain",)).get_content()
    html = received[0].get_body(("html",)).get_content()
    key = CONFIRM_LINK.search(text).group(1)
    assert f"/account/e-mail/bevestigen/{key}/" in html
    # Account mail cannot be switched off, so it has no unsubscribe header.
    assert received[0]["List-Unsubscribe"] is None
