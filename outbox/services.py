"""Queueing and sending email through the outbox table.

The flow: code elsewhere calls message_queue (content it rendered itself, such as allauth's)
or message_render_and_queue (our own templates). That writes one Message row per recipient
and, once the transaction commits, queues the outbox.send_message task with the row's key.
The task calls message_send, which claims the row (queued → sending), talks to the mail
server outside any transaction and records how it went: sent; queued again for a retry; or
failed. messages_sweep, run by beat every minute, picks up rows whose task was lost.
"""

import functools
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from outbox.enums import FINAL_STATES, OPTIONAL_KINDS, REQUIRED_KINDS, MessageKind, MessageStatus
from outbox.models import Message, OptOut
from outbox.rendering import footer_context, render_mail, wrap_html
from outbox.selectors import user_wants_kind
from outbox.tokens import unsubscribe_url

logger = logging.getLogger(__name__)

# The MAILERS alias the outbox sends with.
MAILER = "default"
_ERROR_MAX_LENGTH = 2000


class OutboxError(Exception):
    """A rule about mail was broken; the message is fit to show a coordinator."""


class MessageDeferredError(OutboxError):
    """Sending failed for now; the message is queued again and the task should retry."""


# --- Queueing ---------------------------------------------------------------------------


def message_queue(
    *,
    to_email: str,
    kind: MessageKind,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str,
    user: User | None = None,
) -> Message | None:
    """Store one message for one recipient; a worker sends it after the transaction commits.

    For content rendered elsewhere (allauth's mails). Without body_html the HTML part is the
    text in the mail layout. Returns None, and writes nothing, when the recipient has switched
    this kind off. Optional kinds need the recipient's `user`, so they can switch it off.
    Side effects: one Message row; after commit, one outbox.send_message task.
    """
    kind = MessageKind(kind)
    _check_recipient(kind=kind, user=user)
    if user is not None and not user_wants_kind(user=user, kind=kind):
        return None
    language = _supported_language(language)
    if not body_html:
        with translation.override(language):
            footer = footer_context(kind=kind, user=user)
            body_html = wrap_html(subject=subject, footer=footer, text=body_text)
    return _message_create(
        to_email=to_email,
        kind=kind,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        user=user,
    )


def message_render_and_queue(
    *,
    kind: MessageKind,
    template_prefix: str,
    context: dict,
    user: User | None = None,
    to_email: str | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    """Render our own mail in the recipient's language and queue it.

    Renders <prefix>_subject.txt, <prefix>_message.txt and, if present, <prefix>_message.html
    with translation.override(user.language) (LANGUAGE_CODE without a user), wraps both parts
    in the mail layout and, for optional kinds, adds the unsubscribe footer. `to_email`
    defaults to the user's address. Returns None, and renders nothing, when the recipient
    has switched this kind off, or when a message with the same `dedupe_key` exists (the
    database's unique key backs this, so a message keyed per event and recipient is
    queued once, whoever asks twice).
    Side effects: as message_queue.
    """
    if user is None and not to_email:
        raise OutboxError("A message needs a user or an email address to go to.")
    kind = MessageKind(kind)
    _check_recipient(kind=kind, user=user)
    if user is not None and not user_wants_kind(user=user, kind=kind):
        return None
    if dedupe_key is not None and Message.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    language = _supported_language(user.language if user is not None else None)
    with translation.override(language):
        rendered = render_mail(
            template_prefix=template_prefix, context=context, kind=kind, user=user
        )
    return _message_create(
        to_email=to_email or user.email,
        kind=kind,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        language=language,
        user=user,
        dedupe_key=dedupe_key,
    )


def message_resend(*, message: Message) -> Message | None:
    """Queue a copy of a sent or failed message under a new Message-ID.

    Why a copy rather than putting the old row back in the queue: a Message-ID names one
    delivery. A sent message was delivered, and a failed one may have been too (a connection
    can drop after the server accepted the data), so sending either again under its old ID
    could deliver one Message-ID twice, and resetting the row would erase its history
    (attempts, error, times). The copy has its own ID and attempts, points at the original
    with resend_of, and respects an opt-out made since: then it returns None.
    Side effects: as message_queue.
    """
    if message.status not in FINAL_STATES:
        raise OutboxError(_("Only sent or failed emails can be resent; this one is on its way."))
    user = message.recipient
    if user is None and message.kind not in REQUIRED_KINDS:
        raise OutboxError(_("The recipient no longer has an account, so this cannot be resent."))
    if user is not None and not user_wants_kind(user=user, kind=message.kind):
        return None
    return _message_create(
        to_email=message.to_email,
        kind=MessageKind(message.kind),
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        language=message.language,
        user=user,
        resend_of=message,
    )


def _check_recipient(*, kind: MessageKind, user: User | None) -> None:
    if user is None and kind not in REQUIRED_KINDS:
        raise OutboxError(
            f"Mail of the optional kind {kind.value!r} needs the recipient's user, "
            "so they can switch it off."
        )


def _supported_language(language: str | None) -> str:
    try:
        return translation.get_supported_language_variant(language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _message_create(
    *,
    to_email: str,
    kind: MessageKind,
    subject: str,
    body_text: str,
    body_html: str,
    language: str,
    user: User | None,
    resend_of: Message | None = None,
    dedupe_key: str | None = None,
) -> Message | None:
    to_email = to_email.strip()
    try:
        validate_email(to_email)
    except ValidationError as error:
        raise OutboxError(f"Not an email address: {to_email!r}") from error
    fields = {
        "recipient": user,
        "to_email": to_email,
        "kind": kind,
        "language": language,
        # A header is one line; a stray newline would make the mail unsendable.
        "subject": " ".join(subject.split()),
        "body_text": body_text,
        "body_html": body_html,
        "message_id": Message.new_message_id(),
        "next_attempt_at": timezone.now() + timedelta(seconds=settings.OUTBOX_SWEEP_GRACE),
        "resend_of": resend_of,
        "dedupe_key": dedupe_key,
    }
    try:
        with transaction.atomic():
            message = Message.objects.create(**fields)
    except IntegrityError:
        if dedupe_key is None or not Message.objects.filter(dedupe_key=dedupe_key).exists():
            raise
        return None
    _send_after_commit([message.pk])
    return message


def _send_after_commit(message_ids: Iterable[int]) -> None:
    from outbox import tasks  # noqa: PLC0415 (tasks imports this module)

    for message_id in message_ids:
        # robust: if the broker is down, the committed request must not turn into an error
        # page. The row is safe in the table and the sweep hands it to a worker later.
        transaction.on_commit(functools.partial(tasks.send_message.delay, message_id), robust=True)


# --- Sending ----------------------------------------------------------------------------


def message_send(*, message_id: int) -> Message | None:
    """Send one queued message. Returns it, or None when there was nothing to send.

    Claims the row (queued → sending, attempts + 1) in its own short transaction, so the
    slow talk with the mail server holds no lock and a second worker running the same task
    finds the row no longer queued and sends nothing. Then records the outcome: sent; after
    a temporary SMTP or network error, queued again with the error and a back-off, raising
    MessageDeferredError so the task retries; or failed after a permanent refusal or
    OUTBOX_MAX_ATTEMPTS attempts. Run it outside a transaction: the claim must be committed
    before the mail leaves.
    """
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.QUEUED:
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.sending_started_at = timezone.now()
        message.save(update_fields=["status", "attempts", "sending_started_at"])

    try:
        _email_for(message).send(using=MAILER)
    except (smtplib.SMTPException, OSError) as error:
        status = _message_record_failure(
            message=message, error=error, permanent=_is_permanent(error)
        )
        if status == MessageStatus.QUEUED:
            raise MessageDeferredError(f"Message {message.pk}: {error}") from error
        logger.error("outbox message %s failed for good: %s", message.pk, error)
    except Exception as error:
        # A bug or a bad header rather than the network: trying again fails the same way.
        _message_record_failure(message=message, error=error, permanent=True)
        raise
    else:
        # The mail has left, so "sent" is the truth even if the sweep took the row over in
        # the meantime; that also stops a requeued copy from going out again.
        Message.objects.filter(pk=message.pk).exclude(status=MessageStatus.SENT).update(
            status=MessageStatus.SENT, sent_at=timezone.now(), last_error=""
        )
    message.refresh_from_db()
    return message


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
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, to=[message.to_email], headers=headers
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _is_permanent(error: Exception) -> bool:
    # A 5xx answer about the address, sender or content will be the same next time; 4xx
    # answers, timeouts and refused connections may pass.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the given number of attempts; the task uses the same curve."""
    return min(
        settings.OUTBOX_RETRY_BACKOFF_MAX, settings.OUTBOX_RETRY_BACKOFF * 2 ** (attempts - 1)
    )


def _message_record_failure(
    *, message: Message, error: Exception, permanent: bool
) -> MessageStatus:
    with transaction.atomic():
        row = Message.objects.select_for_update().get(pk=message.pk)
        if row.status != MessageStatus.SENDING or row.attempts != message.attempts:
            # The sweep took the row over meanwhile; its newer attempt owns the status now.
            return MessageStatus(row.status)
        give_up = permanent or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        row.status = MessageStatus.FAILED if give_up else MessageStatus.QUEUED
        row.last_error = f"{type(error).__name__}: {error}"[:_ERROR_MAX_LENGTH]
        # The task retries after retry_delay; the sweep steps in only if that retry is lost.
        row.next_attempt_at = timezone.now() + timedelta(
            seconds=retry_delay(row.attempts) + settings.OUTBOX_SWEEP_GRACE
        )
        row.save(update_fields=["status", "last_error", "next_attempt_at"])
    return MessageStatus(row.status)


# --- The periodic sweep -----------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int
    handed_over: int


def messages_sweep(*, now: datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Put rows stuck in `sending` back in the queue, and hand due queued rows to a worker.

    A row is stuck when it has been sending for longer than OUTBOX_SENDING_TIMEOUT, which
    is longer than any task may run: its worker died mid-send. The mail may have left or
    not; sending it again under the same Message-ID lets mail programs drop a duplicate.
    A queued row is due when no task took it within OUTBOX_SWEEP_GRACE (the task was lost,
    or the broker was down at commit) or its retry back-off is over.

    Idempotent and safe when two runs overlap: each run locks the rows it takes with SKIP
    LOCKED, so two runs split the work instead of doing it twice, and a row handed over is
    not due again until the grace period has passed. message_send itself sends a row at
    most once, however many tasks name it.
    Side effects: after commit, one outbox.send_message task per row handed over.
    """
    now = now or timezone.now()
    stuck_since = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    requeued = failed = 0
    with transaction.atomic():
        stuck = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.SENDING, sending_started_at__lte=stuck_since)
            .order_by("sending_started_at")[:batch_size]
        )
        for message in stuck:
            give_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
            message.status = MessageStatus.FAILED if give_up else MessageStatus.QUEUED
            message.last_error = (
                f"Still sending after {settings.OUTBOX_SENDING_TIMEOUT} seconds; the worker "
                "probably stopped. " + ("Gave up." if give_up else "Queued again.")
            )
            message.next_attempt_at = now
            message.save(update_fields=["status", "last_error", "next_attempt_at"])
            failed += give_up
            requeued += not give_up

        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        Message.objects.filter(pk__in=due).update(
            next_attempt_at=now + timedelta(seconds=settings.OUTBOX_SWEEP_GRACE)
        )
        _send_after_commit(due)
    if requeued or failed or due:
        logger.info(
            "outbox sweep: %s stuck requeued, %s given up, %s handed to a worker",
            requeued,
            failed,
            len(due),
        )
    return SweepResult(requeued=requeued, failed=failed, handed_over=len(due))


# --- Who wants what ---------------------------------------------------------------------


def opt_out_create(*, user: User, kind: MessageKind) -> OptOut:
    """Switch one optional kind off for a person. Doing it twice changes nothing."""
    kind = MessageKind(kind)
    if kind in REQUIRED_KINDS:
        raise OutboxError(_("Emails about your account cannot be switched off."))
    # get_or_create retries the read if a simultaneous request inserted the row first;
    # the unique constraint on (user, kind) makes sure only one row exists.
    opt_out, _created = OptOut.objects.get_or_create(user=user, kind=kind)
    return opt_out


@transaction.atomic
def mail_preferences_update(*, user: User, receive: Iterable[str]) -> set[MessageKind]:
    """Make a person's opt-outs match the optional kinds they still want to receive.

    Returns the kinds now switched off. Required kinds are always received and ignored here.
    """
    wanted = {MessageKind(kind) for kind in receive}
    switched_off = {kind for kind in OPTIONAL_KINDS if kind not in wanted}
    # Two saves of the form at once (two tabs) would each delete and insert; locking the
    # person makes the last one win whole instead of mixing both.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    OptOut.objects.filter(user=user).exclude(kind__in=switched_off).delete()
    OptOut.objects.bulk_create(
        [OptOut(user=user, kind=kind) for kind in sorted(switched_off)], ignore_conflicts=True
    )
    return switched_off
