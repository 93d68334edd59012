"""Sending in batches: many due messages over one connection, each marked as it goes."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from outbox.enums import MessageKind
from outbox.models import Message
from outbox.services import BatchResult, message_queue, messages_send_batch, retry_delay
from tests.factories import UserFactory
from tests.fixtures.celery_worker import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def queue(user, **overrides):
    arguments = {
        "to_email": user.email,
        "kind": MessageKind.PROJECT_UPDATES,
        "subject": "Nieuws over je project",
        "body_text": "Er is nieuws.",
        "language": user.language,
        "user": user,
    } | overrides
    return message_queue(**arguments)


def statuses() -> list[tuple[str, str, int]]:
    return list(Message.objects.order_by("pk").values_list("to_email", "status", "attempts"))


def test_messages_send_batch_sends_every_due_message_over_one_connection(smtp_mailer):
    messages = [queue(person) for person in UserFactory.create_batch(5)]

    result = messages_send_batch()

    assert result == BatchResult(sent=5)
    assert smtp_mailer.message_ids() == [message.message_id for message in messages]
    assert smtp_mailer.connections() == 1
    assert [status for _email, status, _attempts in statuses()] == ["sent"] * 5
    assert all(row.sent_at is not None for row in Message.objects.all())


def test_messages_send_batch_run_twice_sends_nothing_twice(smtp_mailer):
    messages = [queue(person) for person in UserFactory.create_batch(3)]

    first = messages_send_batch()
    second = messages_send_batch()

    assert (first, second) == (BatchResult(sent=3), BatchResult())
    assert smtp_mailer.message_ids() == [message.message_id for message in messages]


def test_messages_send_batch_takes_the_batch_size_and_asks_for_the_next(
    settings, mailoutbox, mail_queue
):
    settings.OUTBOX_BATCH_SIZE = 2
    messages = [queue(person) for person in UserFactory.create_batch(3)]

    first = messages_send_batch()
    waiting_after_full_batch = mail_queue.tasks()
    second = messages_send_batch()

    assert (first, second) == (BatchResult(sent=2), BatchResult(sent=1))
    # A full batch may have left more behind: it asked for the next one at once.
    assert waiting_after_full_batch == ["outbox.send_batch"]
    assert mail_queue.tasks() == ["outbox.send_batch"]
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [m.message_id for m in messages]


def test_messages_send_batch_one_refusal_defers_that_message_and_sends_the_rest(smtp_mailer):
    smtp_mailer.refuse_next("451 4.3.0 Mailbox busy, try again later")
    people = UserFactory.create_batch(3)
    refused, *accepted = [queue(person) for person in people]

    result = messages_send_batch()

    assert result == BatchResult(sent=2, deferred=1)
    assert smtp_mailer.message_ids() == [message.message_id for message in accepted]
    assert statuses() == [
        (people[0].email, "queued", 1),
        (people[1].email, "sent", 1),
        (people[2].email, "sent", 1),
    ]
    assert Message.objects.get(pk=refused.pk).last_error.startswith("SMTPDataError: (451")


def test_messages_send_batch_leaves_a_message_in_its_back_off_until_it_is_over(smtp_mailer):
    smtp_mailer.refuse_next("451 4.3.0 Mailbox busy, try again later")
    message = queue(UserFactory())
    messages_send_batch()

    too_early = messages_send_batch()
    after_back_off = messages_send_batch(now=timezone.now() + timedelta(seconds=retry_delay(1) + 1))

    assert (too_early, after_back_off) == (BatchResult(), BatchResult(sent=1))
    assert smtp_mailer.message_ids() == [message.message_id]
    row = Message.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_messages_send_batch_permanent_refusal_fails_each_message_for_good(smtp_mailer):
    smtp_mailer.refuse_recipients_with = "550 5.1.1 No such user here"
    for person in UserFactory.create_batch(2):
        queue(person)

    result = messages_send_batch()

    assert result == BatchResult(failed=2)
    assert [status for _email, status, _attempts in statuses()] == ["failed", "failed"]


def test_messages_send_batch_unreachable_server_defers_the_whole_batch(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    for person in UserFactory.create_batch(3):
        queue(person)

    result = messages_send_batch()

    assert result == BatchResult(deferred=3)
    rows = list(Message.objects.all())
    assert {(row.status, row.attempts) for row in rows} == {("queued", 1)}
    assert all(row.last_error.startswith("ConnectionRefusedError") for row in rows)


def test_messages_send_batch_unexpected_error_leaves_the_one_in_flight_and_returns_the_rest(
    settings, mailoutbox
):
    settings.MAILERS = {"default": {"BACKEND": "tests.outbox.backends.CrashOnSecondMessageBackend"}}
    people = UserFactory.create_batch(3)
    for person in people:
        queue(person)

    with pytest.raises(RuntimeError, match="a bug in the mail backend"):
        messages_send_batch()

    # The first went out; the second may have (only the sweep may try it again, much
    # later); the third was never tried and is back in the queue as it was.
    assert statuses() == [
        (people[0].email, "sent", 1),
        (people[1].email, "sending", 1),
        (people[2].email, "queued", 0),
    ]
    assert len(mailoutbox) == 1


def test_messages_send_batch_a_message_that_cannot_be_built_fails_and_the_batch_goes_on(
    mailoutbox,
):
    people = UserFactory.create_batch(2)
    broken, fine = (queue(person) for person in people)
    # A header with a line break cannot be sent; the services never store one, so the row
    # is broken here by hand.
    Message.objects.filter(pk=broken.pk).update(subject="Nieuws\nBcc: iedereen@example.org")

    result = messages_send_batch()

    assert result == BatchResult(sent=1, failed=1)
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [fine.message_id]
    assert Message.objects.get(pk=broken.pk).status == "failed"


# --- Two batches at once ----------------------------------------------------------------


def lost_messages(count: int) -> list[Message]:
    """Due rows whose batch request never went out (written without the services)."""
    return [
        Message.objects.create(
            recipient=person,
            to_email=person.email,
            kind=MessageKind.PROJECT_UPDATES,
            language=person.language,
            subject="Nieuws",
            body_text="Er is nieuws.",
            message_id=Message.new_message_id(),
        )
        for person in UserFactory.create_batch(count)
    ]


def two_batches_at_once() -> list[BatchResult]:
    start = threading.Barrier(2, timeout=10)
    results = []

    def worker():
        try:
            start.wait()
            results.append(messages_send_batch())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_messages_send_batch_two_at_once_send_each_message_once(settings, mailoutbox):
    settings.RACE_WINDOW_SECONDS = 0.5
    messages = lost_messages(10)

    results = two_batches_at_once()

    assert sum(result.sent for result in results) == 10
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(
        m.message_id for m in messages
    )
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_messages_send_batch_two_at_once_without_the_lock_send_messages_twice(settings, mailoutbox):
    """The control: the race the row lock prevents really happens without it."""
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False
    lost_messages(10)

    results = two_batches_at_once()

    assert [result.sent for result in results] == [10, 10]
    assert len(mailoutbox) == 20
