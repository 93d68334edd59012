from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.enums import MessageKind
from outbox.models import Message
from outbox.services import (
    MessageDeferredError,
    message_queue,
    message_send,
    retry_delay,
)
from outbox.tokens import unsubscribe_url
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
    # Due again once the back-off is over, not before.
    back_off = timedelta(seconds=retry_delay(1))
    assert before + back_off <= row.next_attempt_at <= timezone.now() + back_off
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
