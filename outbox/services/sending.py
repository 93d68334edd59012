"""Sending: batches of due messages over one connection to the mail server.

A message is due when it is queued and its next_attempt_at has passed: at once when it is
queued, after the back-off when an attempt failed, at once when the sweep put it back.
Whoever makes messages due asks for a batch (batch_request) after their transaction
commits; the outbox.send_batch task then runs messages_send_batch on the mail queue.
"""

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lerenmetdestad.celery import app as celery_app
from lerenmetdestad.locking import lock_rows, race_window
from outbox.enums import REQUIRED_KINDS, MessageStatus
from outbox.models import Message
from outbox.sealed import bodies_unseal
from outbox.services.errors import MessageDeferredError
from outbox.tokens import unsubscribe_url

logger = logging.getLogger(__name__)

# The MAILERS alias the outbox sends with.
MAILER = "default"
BATCH_TASK = "outbox.send_batch"
# Present while a batch task is queued and has not started: it will take every due row.
BATCH_REQUESTED_KEY = "outbox:batch-requested"
_ERROR_MAX_LENGTH = 2000


@dataclass(frozen=True)
class BatchResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def batch_request() -> None:
    """Queue an outbox.send_batch task, unless one is queued and has not started yet.

    Run it after commit, by whatever made messages due. One waiting task is enough: it has
    not claimed yet, so it takes these messages too. The mark that says a task is waiting
    lapses after OUTBOX_SWEEP_GRACE, so a task the broker lost holds nothing up for longer
    than that: the next sweep asks again.
    """
    if not cache.add(BATCH_REQUESTED_KEY, True, timeout=settings.OUTBOX_SWEEP_GRACE):
        return
    try:
        # By name, because outbox.tasks imports the services; CELERY_TASK_ROUTES sends it
        # to the mail queue.
        celery_app.send_task(BATCH_TASK)
    except Exception:
        # The broker is away: without the mark, the next request or sweep tries again.
        cache.delete(BATCH_REQUESTED_KEY)
        raise


def messages_send_batch(*, now: datetime | None = None) -> BatchResult:
    """Send up to OUTBOX_BATCH_SIZE due messages over one connection to the mail server.

    Claims the rows in one short transaction (queued → sending, attempts + 1) with SKIP
    LOCKED, so batches running at once split the rows and never send one twice, and talks
    to the mail server outside any transaction. Each row is marked sent right after its own
    send, so a worker killed mid-batch leaves in `sending` only the message in flight and
    those it had not reached yet; the sweep queues them again and they go out under the
    same Message-ID. A failed send is recorded as message_send explains, and the batch goes
    on; when the server cannot be reached at all, the rest of the batch is recorded as
    failed with the same error without trying it. An unexpected error stops the batch: the
    rows not reached yet go back to the queue as they were, and the error propagates.
    Side effects: mail; when the batch is full, another batch is asked for at once, so a
    second mail worker can start on the rest.
    """
    # Before the claim, so that a message committed from here on asks for a batch of its
    # own instead of counting on this one.
    cache.delete(BATCH_REQUESTED_KEY)
    limit = settings.OUTBOX_BATCH_SIZE
    claimed = _messages_claim(condition=Q(next_attempt_at__lte=now or timezone.now()), limit=limit)
    if len(claimed) == limit:
        batch_request()
    return _messages_deliver(claimed)


def message_send(*, message_id: int) -> Message | None:
    """Send one queued message now, due or not. Returns it, or None when there was nothing
    to send (no such message, or it is not queued: another worker has it or it is done).

    Claims the row as a batch does and records the outcome: sent; after a temporary SMTP or
    network error, queued again with the error and a back-off (retry_delay), raising
    MessageDeferredError; or failed after a permanent refusal or OUTBOX_MAX_ATTEMPTS
    attempts. Run it outside a transaction: the claim must be committed before the mail
    leaves.
    """
    claimed = _messages_claim(condition=Q(pk=message_id), limit=1)
    if not claimed:
        return None
    result = _messages_deliver(claimed)
    message = claimed[0]
    message.refresh_from_db()
    if result.deferred:
        raise MessageDeferredError(f"Message {message.pk}: {message.last_error}")
    return message


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the given number of failed attempts before the next one."""
    return min(
        settings.OUTBOX_RETRY_BACKOFF_MAX, settings.OUTBOX_RETRY_BACKOFF * 2 ** (attempts - 1)
    )


def _messages_claim(*, condition: Q, limit: int) -> list[Message]:
    started = timezone.now()
    with transaction.atomic():
        queued = Message.objects.filter(condition, status=MessageStatus.QUEUED)
        messages = list(
            lock_rows(queued, skip_locked=True).order_by("next_attempt_at", "pk")[:limit]
        )
        race_window()
        Message.objects.filter(pk__in=[message.pk for message in messages]).update(
            status=MessageStatus.SENDING,
            attempts=F("attempts") + 1,
            sending_started_at=started,
        )
    for message in messages:
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.sending_started_at = started
    return messages


def _messages_deliver(messages: Sequence[Message]) -> BatchResult:
    if not messages:
        return BatchResult()
    mailer = mailers[MAILER]
    outcomes: list[MessageStatus] = []
    unreachable: Exception | None = None
    reached = 0
    try:
        for message in messages:
            reached += 1
            if unreachable is not None:
                outcomes.append(_message_record_failure(message=message, error=unreachable))
                continue
            try:
                email = _email_for(message)
                # Built here once to find a message that cannot be built, which fails the
                # same way every time, before it can break the connection.
                email.message()
            except Exception as error:
                logger.exception("outbox message %s cannot be built", message.pk)
                outcomes.append(
                    _message_record_failure(message=message, error=error, permanent=True)
                )
                continue
            try:
                mailer.open()
            except (smtplib.SMTPException, OSError) as error:
                unreachable = error
                outcomes.append(_message_record_failure(message=message, error=error))
                continue
            try:
                mailer.send_messages([email])
            except (smtplib.SMTPException, OSError, ValueError) as error:
                # ValueError: Django refused the address itself, which no retry changes.
                permanent = isinstance(error, ValueError) or _is_permanent(error)
                outcomes.append(
                    _message_record_failure(message=message, error=error, permanent=permanent)
                )
                # The session may be broken; the next message starts on a fresh one.
                _close_quietly(mailer)
            else:
                _message_record_sent(message)
                outcomes.append(MessageStatus.SENT)
    finally:
        _close_quietly(mailer)
        # The message in flight, if any, stays `sending`: it may have left, so only the
        # sweep, much later, may send it again. Those not reached certainly did not.
        _messages_release(messages[reached:])
    return BatchResult(
        sent=outcomes.count(MessageStatus.SENT),
        deferred=outcomes.count(MessageStatus.QUEUED),
        failed=outcomes.count(MessageStatus.FAILED),
    )


def _close_quietly(mailer) -> None:
    try:
        mailer.close()
    except (smtplib.SMTPException, OSError):
        logger.warning("outbox: closing the connection to the mail server failed", exc_info=True)


def _message_record_sent(message: Message) -> None:
    # The mail has left, so "sent" is the truth even if the sweep took the row over in the
    # meantime; that also stops a requeued copy from going out again.
    Message.objects.filter(pk=message.pk).exclude(status=MessageStatus.SENT).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), last_error=""
    )


def _messages_release(messages: Sequence[Message]) -> None:
    if not messages:
        return
    Message.objects.filter(
        pk__in=[message.pk for message in messages], status=MessageStatus.SENDING
    ).update(
        status=MessageStatus.QUEUED, attempts=F("attempts") - 1, next_attempt_at=timezone.now()
    )


def _email_for(message: Message) -> EmailMultiAlternatives:
    headers = {
        # The stored ID, identical on every retry, so a duplicate is recognisable as one.
        "Message-ID": message.message_id,
        # RFC 3834: no out-of-office replies to a platform mail.
        "Auto-Submitted": "auto-generated",
        "Content-Language": message.language,
    }
    if message.kind not in REQUIRED_KINDS and message.recipient_id is not None:
        # RFC 2369 and RFC 8058: mail programs show an unsubscribe button and POST to the
        # link without opening it. SITE_URL is https in production, as RFC 8058 requires.
        url = unsubscribe_url(user_id=message.recipient_id, kind=message.kind)
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # The only place the secrets are opened: the mail is built and handed over at once.
    body_text, body_html = bodies_unseal(
        body_text=message.body_text,
        body_html=message.body_html,
        sealed_secrets=message.sealed_secrets,
    )
    email = EmailMultiAlternatives(
        subject=message.subject, body=body_text, to=[message.to_email], headers=headers
    )
    if body_html:
        email.attach_alternative(body_html, "text/html")
    return email


def _is_permanent(error: Exception) -> bool:
    # A 5xx answer about the address, sender or content will be the same next time; 4xx
    # answers, timeouts and refused connections may pass.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _message_record_failure(
    *, message: Message, error: Exception, permanent: bool = False
) -> MessageStatus:
    with transaction.atomic():
        row = Message.objects.select_for_update().get(pk=message.pk)
        if row.status != MessageStatus.SENDING or row.attempts != message.attempts:
            # The sweep took the row over meanwhile; its newer attempt owns the status now.
            return MessageStatus(row.status)
        give_up = permanent or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        row.status = MessageStatus.FAILED if give_up else MessageStatus.QUEUED
        row.last_error = f"{type(error).__name__}: {error}"[:_ERROR_MAX_LENGTH]
        # Due again after the back-off; the sweep asks for a batch once it is.
        row.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(row.attempts))
        row.save(update_fields=["status", "last_error", "next_attempt_at"])
    if give_up:
        logger.error("outbox message %s failed for good: %s", message.pk, row.last_error)
    return MessageStatus(row.status)
