import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from outbox.enums import MessageKind, MessageStatus
from outbox.models import Message
from outbox.services import (
    MessageDeferredError,
    message_queue,
    message_send,
    messages_sweep,
    retry_delay,
)
from outbox.tokens import unsubscribe_url
from tests.factories import UserFactory
from tests.fixtures.celery_worker import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def queue(user, kind=MessageKind.PROJECT_UPDATES, **overrides):
    arguments = {
        "to_email": user.email,
        "kind": kind,
        "subject": "Nieuws over je project",
        "body_text": "Er is nieuws: https://example.org/p/1",
        "language": user.language,
        "user": user,
    } | overrides
    return message_queue(**arguments)


def test_message_send_sends_once_and_a_second_call_sends_nothing(student, mailoutbox):
    message = queue(student)

    first = message_send(message_id=message.pk)
    second = message_send(message_id=message.pk)

    assert len(mailoutbox) == 1
    assert second is None
    row = Message.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    assert first == row


def test_message_send_unknown_id_sends_nothing(mailoutbox):
    assert message_send(message_id=987_654) is None
    assert mailoutbox == []


def test_message_send_mail_has_text_and_html_parts_and_the_headers(student, mailoutbox, settings):
    settings.SITE_URL = "https://lerenmetdestad.example"
    message = queue(student, body_html="<p>Er is <em>nieuws</em>.</p>")

    message_send(message_id=message.pk)

    sent = mailoutbox[0].message()
    link = f"https://lerenmetdestad.example/berichten/afmelden/{link_token(student)}/"
    assert sent["Message-ID"] == message.message_id
    assert sent["List-Unsubscribe"] == f"<{link}>"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["To"] == "sanne@student.hsleiden.nl"
    assert sent["From"] == "Leren met de Stad <noreply@lerenmetdestad.nl>"
    assert sent["Subject"] == "Nieuws over je project"
    assert sent["Content-Language"] == "nl"
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent.get_content_type() == "multipart/alternative"
    assert sent.get_body(("plain",)).get_content() == "Er is nieuws: https://example.org/p/1\n"
    assert sent.get_body(("html",)).get_content() == "<p>Er is <em>nieuws</em>.</p>\n"


def link_token(user):
    return unsubscribe_url(user_id=user.pk, kind="project_updates").rsplit("/", 2)[-2]


def test_message_send_required_kind_has_no_list_unsubscribe(student, mailoutbox):
    message = queue(student, kind=MessageKind.ACCOUNT)

    message_send(message_id=message.pk)

    sent = mailoutbox[0].message()
    assert sent["Message-ID"] == message.message_id
    assert sent["List-Unsubscribe"] is None
    assert sent["List-Unsubscribe-Post"] is None


def test_message_send_through_smtp_delivers_the_stored_message_id(student, smtp_mailer):
    message = queue(student)

    message_send(message_id=message.pk)

    received = smtp_mailer.wait_for(1, timeout=5)
    assert [m["Message-ID"] for m in received] == [message.message_id]
    assert received[0]["To"] == student.email
    assert Message.objects.get().status == "sent"


def test_message_send_temporary_smtp_refusal_leaves_it_queued_with_the_error(student, smtp_mailer):
    smtp_mailer.refuse_next("451 4.3.0 Mailbox busy, try again later")
    message = queue(student)
    before = timezone.now()

    with pytest.raises(MessageDeferredError):
        message_send(message_id=message.pk)

    row = Message.objects.get()
    assert (row.status, row.attempts, row.sent_at) == ("queued", 1, None)
    assert row.last_error.startswith("SMTPDataError: (451, b'4.3.0 Mailbox busy")
    # The sweep waits for the retry's back-off and then a grace period before stepping in.
    assert row.next_attempt_at >= before + timedelta(seconds=retry_delay(1) + 60)
    assert smtp_mailer.messages == []


def test_message_send_retry_after_refusal_keeps_the_message_id(student, smtp_mailer):
    smtp_mailer.refuse_next("451 4.3.0 Mailbox busy, try again later")
    message = queue(student)

    with pytest.raises(MessageDeferredError):
        message_send(message_id=message.pk)
    message_send(message_id=message.pk)

    received = smtp_mailer.wait_for(1, timeout=5)
    assert [m["Message-ID"] for m in received] == [message.message_id]
    row = Message.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_message_send_fails_after_the_maximum_attempts(student, smtp_mailer, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_mailer.refuse_next("421 4.3.2 Service not available", times=3)
    message = queue(student)

    for _attempt in range(2):
        with pytest.raises(MessageDeferredError):
            message_send(message_id=message.pk)
    last = message_send(message_id=message.pk)

    assert (last.status, last.attempts) == ("failed", 3)
    assert "421" in last.last_error
    assert message_send(message_id=message.pk) is None
    assert smtp_mailer.messages == []


def test_message_send_permanent_refusal_fails_at_once(student, smtp_mailer):
    smtp_mailer.refuse_recipients_with = "550 5.1.1 No such user here"
    message = queue(student)

    result = message_send(message_id=message.pk)

    assert (result.status, result.attempts) == ("failed", 1)
    assert result.last_error.startswith("SMTPRecipientsRefused")


def test_message_send_no_mail_server_leaves_it_queued(student, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    message = queue(student)

    with pytest.raises(MessageDeferredError):
        message_send(message_id=message.pk)

    row = Message.objects.get()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error.startswith("ConnectionRefusedError")


def test_retry_delay_doubles_up_to_the_maximum(settings):
    settings.OUTBOX_RETRY_BACKOFF = 30
    settings.OUTBOX_RETRY_BACKOFF_MAX = 200

    assert [retry_delay(n) for n in range(1, 6)] == [30, 60, 120, 200, 200]


# --- The sweep --------------------------------------------------------------------------


def make_stuck(message, *, minutes_ago, attempts=1):
    """Arrange a row as a worker that died mid-send would leave it."""
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING,
        attempts=attempts,
        sending_started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_messages_sweep_requeues_a_row_stuck_in_sending_and_sends_it(
    student, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    message = queue(student)
    make_stuck(message, minutes_ago=16)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = messages_sweep()

    assert (result.requeued, result.failed, result.handed_over) == (1, 0, 1)
    assert len(callbacks) == 1
    row = Message.objects.get()
    assert (row.status, row.attempts) == ("sent", 2)
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [message.message_id]


def test_messages_sweep_leaves_a_row_that_is_still_sending_in_time(student):
    message = queue(student)
    make_stuck(message, minutes_ago=5)

    result = messages_sweep()

    assert (result.requeued, result.handed_over) == (0, 0)
    assert Message.objects.get().status == "sending"


def test_messages_sweep_gives_up_a_stuck_row_after_the_maximum_attempts(student, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = queue(student)
    make_stuck(message, minutes_ago=30, attempts=2)

    result = messages_sweep()

    assert (result.requeued, result.failed, result.handed_over) == (0, 1, 0)
    row = Message.objects.get()
    assert row.status == "failed"
    assert row.last_error == (
        "Still sending after 900 seconds; the worker probably stopped. Gave up."
    )


def test_messages_sweep_leaves_fresh_queued_rows_to_their_task(
    student, django_capture_on_commit_callbacks
):
    queue(student)

    with django_capture_on_commit_callbacks() as callbacks:
        result = messages_sweep()

    assert result.handed_over == 0
    assert callbacks == []


def test_messages_sweep_hands_over_a_lost_row_once(student, django_capture_on_commit_callbacks):
    message = queue(student)
    later = timezone.now() + timedelta(minutes=2)

    with django_capture_on_commit_callbacks() as callbacks:
        first = messages_sweep(now=later)
        second = messages_sweep(now=later + timedelta(seconds=30))

    assert (first.handed_over, second.handed_over) == (1, 0)
    assert len(callbacks) == 1
    assert Message.objects.get(pk=message.pk).next_attempt_at == later + timedelta(seconds=60)


def lost_message(user, *, due_at):
    """A queued row whose task never ran (the broker lost it, or was down at commit)."""
    return Message.objects.create(
        recipient=user,
        to_email=user.email,
        kind=MessageKind.PROJECT_UPDATES,
        language=user.language,
        subject="Nieuws",
        body_text="Er is nieuws.",
        message_id=Message.new_message_id(),
        next_attempt_at=due_at,
    )


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_messages_sweep_overlapping_runs_split_the_rows(celery_eager, mailoutbox):
    now = timezone.now()
    messages = [lost_message(p, due_at=now) for p in UserFactory.create_batch(10)]
    first_holds_locks = threading.Event()
    let_first_commit = threading.Event()
    results = {}

    def first_sweep():
        try:
            with transaction.atomic():
                results["first"] = messages_sweep(now=now, batch_size=4)
                first_holds_locks.set()
                let_first_commit.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    assert first_holds_locks.wait(timeout=10)
    # The first run still holds its 4 rows: the second skips them and takes the other 6.
    results["second"] = messages_sweep(now=now)
    let_first_commit.set()
    thread.join(timeout=10)

    assert (results["first"].handed_over, results["second"].handed_over) == (4, 6)
    # Each run's tasks ran at its commit: every message went out exactly once.
    assert sorted(m.extra_headers["Message-ID"] for m in mailoutbox) == sorted(
        m.message_id for m in messages
    )
    assert list(Message.objects.values_list("status", flat=True)) == ["sent"] * 10


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_message_send_two_workers_at_once_send_the_row_once(student, mailoutbox):
    message = lost_message(student, due_at=timezone.now())
    start = threading.Barrier(2, timeout=10)
    results = []

    def worker():
        try:
            start.wait()
            results.append(message_send(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(mailoutbox) == 1
    assert sorted(result is None for result in results) == [False, True]
    row = Message.objects.get()
    assert (row.status, row.attempts) == ("sent", 1)
