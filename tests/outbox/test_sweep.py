"""The periodic sweep: stuck rows go back in the queue, due rows get a batch."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.enums import MessageKind, MessageStatus
from outbox.models import Message
from outbox.services import BatchResult, message_queue, messages_send_batch, messages_sweep

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def queue(user):
    return message_queue(
        to_email=user.email,
        kind=MessageKind.PROJECT_UPDATES,
        subject="Nieuws over je project",
        body_text="Er is nieuws.",
        language=user.language,
        user=user,
    )


def make_stuck(message, *, minutes_ago, attempts=1):
    """Arrange a row as a worker that died mid-send would leave it."""
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING,
        attempts=attempts,
        sending_started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def make_deferred(message, *, due_in_seconds):
    """Arrange a row as a failed attempt leaves it: queued again, due after its back-off."""
    Message.objects.filter(pk=message.pk).update(
        attempts=1,
        last_error="SMTPDataError: (451, b'4.3.0 Mailbox busy')",
        next_attempt_at=timezone.now() + timedelta(seconds=due_in_seconds),
    )


def test_messages_sweep_requeues_a_row_stuck_in_sending_and_a_batch_sends_it_again(
    student, mailoutbox, mail_queue, django_capture_on_commit_callbacks
):
    message = queue(student)
    make_stuck(message, minutes_ago=16)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = messages_sweep()
    batch = messages_send_batch()

    assert (result.requeued, result.failed, result.due) == (1, 0, 1)
    assert len(callbacks) == 1
    assert mail_queue.tasks() == ["outbox.send_batch"]
    assert batch == BatchResult(sent=1)
    row = Message.objects.get()
    assert (row.status, row.attempts) == ("sent", 2)
    # The same Message-ID as the attempt that may have left, so a duplicate is recognisable.
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [message.message_id]


def test_messages_sweep_leaves_a_row_that_is_still_sending_in_time(student):
    message = queue(student)
    make_stuck(message, minutes_ago=5)

    result = messages_sweep()

    assert (result.requeued, result.due) == (0, 0)
    assert Message.objects.get().status == "sending"


def test_messages_sweep_gives_up_a_stuck_row_after_the_maximum_attempts(student, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = queue(student)
    make_stuck(message, minutes_ago=30, attempts=2)

    result = messages_sweep()

    assert (result.requeued, result.failed, result.due) == (0, 1, 0)
    row = Message.objects.get()
    assert row.status == "failed"
    assert row.last_error == (
        "Still sending after 900 seconds; the worker probably stopped. Gave up."
    )


def test_messages_sweep_asks_for_nothing_while_a_message_waits_out_its_back_off(
    student, django_capture_on_commit_callbacks
):
    make_deferred(queue(student), due_in_seconds=30)

    with django_capture_on_commit_callbacks() as callbacks:
        result = messages_sweep()

    assert result.due == 0
    assert callbacks == []


def test_messages_sweep_asks_for_one_batch_when_back_offs_are_over(
    student, researcher, mail_queue, django_capture_on_commit_callbacks
):
    for person in (student, researcher):
        make_deferred(queue(person), due_in_seconds=-1)

    with django_capture_on_commit_callbacks(execute=True):
        first = messages_sweep()
        second = messages_sweep()

    assert (first.due, second.due) == (2, 2)
    # One batch takes them both; a second sweep adds nothing while that task waits.
    assert mail_queue.tasks() == ["outbox.send_batch"]
    assert messages_send_batch() == BatchResult(sent=2)


def test_messages_sweep_asks_again_when_the_waiting_batch_was_lost_for_the_grace_period(
    student, settings, mail_queue, django_capture_on_commit_callbacks
):
    settings.OUTBOX_SWEEP_GRACE = 1
    make_deferred(queue(student), due_in_seconds=-1)
    with django_capture_on_commit_callbacks(execute=True):
        messages_sweep()
    mail_queue.purge()  # the broker lost the task before a worker started it

    with django_capture_on_commit_callbacks(execute=True):
        messages_sweep()
    within_grace = mail_queue.tasks()
    time.sleep(1.1)
    with django_capture_on_commit_callbacks(execute=True):
        messages_sweep()

    assert within_grace == []
    assert mail_queue.tasks() == ["outbox.send_batch"]


def test_messages_send_batch_clears_the_way_for_the_next_request(
    student, mail_queue, django_capture_on_commit_callbacks
):
    make_deferred(queue(student), due_in_seconds=-1)
    with django_capture_on_commit_callbacks(execute=True):
        messages_sweep()
    mail_queue.purge()

    # Once a batch has started, rows that become due later need a batch of their own.
    messages_send_batch()
    make_deferred(queue(student), due_in_seconds=-1)
    with django_capture_on_commit_callbacks(execute=True):
        messages_sweep()

    assert mail_queue.tasks() == ["outbox.send_batch"]
