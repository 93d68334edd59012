"""Mail as it really leaves: a Celery worker process, Redis, PostgreSQL and an SMTP server."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox import tasks
from outbox.enums import MessageKind, ReminderKind
from outbox.models import Message, Reminder
from outbox.reminders import reminders_send_due
from outbox.services import message_queue
from tests.events.factories import EventFactory, RegistrationFactory
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


def sweep_until(condition, *, timeout: float = DELIVERY_TIMEOUT):
    """Run the sweep in the worker, as beat would every minute, until condition() holds.

    Retries after a failed attempt are not waiting tasks: the sweep finds the messages
    whose back-off is over and asks for a batch (the worker's back-off is 1 to 2 s).
    """

    def swept():
        value = condition()
        if not value:
            tasks.sweep.delay()
        return value

    return wait_until(swept, timeout=timeout, interval=0.5)


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

    sent = sweep_until(lambda: Message.objects.filter(pk=message.pk, status="sent").first())
    assert sent is not None, celery_worker.log()
    # The first attempt was refused, the retry went through: one mail, one Message-ID.
    assert sent.attempts == 2
    assert smtp_inbox.message_ids() == [message.message_id]


def test_worker_delivers_mail_that_failed_while_the_server_was_down_once_it_is_back(
    celery_worker, smtp_inbox
):
    smtp_inbox.stop()
    people = UserFactory.create_batch(3)
    with transaction.atomic():
        messages = [
            message_queue(
                to_email=person.email,
                kind=MessageKind.PROJECT_UPDATES,
                subject="Nieuws over je project",
                body_text="Er is nieuws.",
                language="nl",
                user=person,
            )
            for person in people
        ]

    def rows() -> list[Message]:
        return list(Message.objects.filter(pk__in=[m.pk for m in messages]))

    # Down: every attempt fails, and each message is tried again after its back-off.
    tried_twice = sweep_until(lambda: all(row.attempts >= 2 for row in rows()))
    assert tried_twice, celery_worker.log()
    for row in rows():
        assert (row.status, row.sent_at) == ("queued", None)
        assert row.last_error.startswith("ConnectionRefusedError")
        # The worker's back-off after a second attempt: 2 s (OUTBOX_RETRY_BACKOFF=1, max 2).
        assert row.next_attempt_at >= row.sending_started_at + timedelta(seconds=2)

    smtp_inbox.start()
    delivered = sweep_until(lambda: [row.status for row in rows()] == ["sent"] * 3)

    assert delivered, celery_worker.log()
    assert sorted(smtp_inbox.message_ids()) == sorted(m.message_id for m in messages)
    assert all(row.attempts >= 3 for row in rows())


def test_worker_reminder_scan_run_twice_sends_each_reminder_once(celery_worker, smtp_inbox):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=2))
    registrations = RegistrationFactory.create_batch(2, event=event)
    scans_before = celery_worker.succeeded("reminders.send_due")

    tasks.send_due_reminders.delay()
    tasks.send_due_reminders.delay()

    scanned = wait_until(
        lambda: celery_worker.succeeded("reminders.send_due") == scans_before + 2,
        timeout=DELIVERY_TIMEOUT,
    )
    assert scanned, celery_worker.log()
    delivered = wait_until(
        lambda: Message.objects.filter(status="sent").count() == 2, timeout=DELIVERY_TIMEOUT
    )
    assert delivered, celery_worker.log()
    reminders = Reminder.objects.order_by("recipient_id")
    assert [(r.kind, r.subject, r.recipient_id) for r in reminders] == [
        ("event_soon", f"event:{event.pk}", registration.person_id)
        for registration in sorted(registrations, key=lambda r: r.person_id)
    ]
    assert sorted(smtp_inbox.message_ids()) == sorted(
        reminder.message.message_id for reminder in reminders
    )
    # And a third run, here, finds nothing left to send.
    assert reminders_send_due()[ReminderKind.EVENT_SOON] == 0
    assert Message.objects.count() == 2


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
