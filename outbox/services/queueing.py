"""Writing messages: one Message row per recipient, and after commit a request to send."""

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from outbox.enums import FINAL_STATES, REQUIRED_KINDS, MessageKind
from outbox.models import Message
from outbox.rendering import footer_context, render_mail, wrap_html
from outbox.sealed import bodies_seal, secrets_in
from outbox.selectors import user_wants_kind
from outbox.services.errors import OutboxError
from outbox.services.sending import batch_request


def message_queue(
    *,
    to_email: str,
    kind: MessageKind,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str,
    user: User | None = None,
    secrets: Sequence[str] = (),
) -> Message | None:
    """Store one message for one recipient; a worker sends it after the transaction commits.

    For content rendered elsewhere (allauth's mails). Without body_html the HTML part is the
    text in the mail layout. `secrets` are the values in the bodies only the recipient may
    read (links with a token, codes): they are stored sealed (outbox.sealed). Returns None,
    and writes nothing, when the recipient has switched this kind off. Optional kinds need
    the recipient's `user`, so they can switch it off.
    Side effects: one Message row; after commit, a request for a batch (outbox.send_batch).
    """
    kind = MessageKind(kind)
    _check_recipient(kind=kind, user=user)
    if user is not None and not user_wants_kind(user=user, kind=kind):
        return None
    language = _supported_language(language)
    secrets = list(secrets)
    if not body_html:
        with translation.override(language):
            footer = footer_context(kind=kind, user=user)
            body_html = wrap_html(subject=subject, footer=footer, text=body_text)
        secrets += secrets_in(footer)
    return _message_create(
        to_email=to_email,
        kind=kind,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        user=user,
        secrets=secrets,
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
    in the mail layout and, for optional kinds, adds the unsubscribe footer. Context values
    marked lerenmetdestad.sealing.Secret (links with a token) are stored sealed. `to_email`
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
        secrets=rendered.secrets,
    )


def message_resend(*, message: Message) -> Message | None:
    """Queue a copy of a sent or failed message under a new Message-ID.

    Why a copy rather than putting the old row back in the queue: a Message-ID names one
    delivery. A sent message was delivered, and a failed one may have been too (a connection
    can drop after the server accepted the data), so sending either again under its old ID
    could deliver one Message-ID twice, and resetting the row would erase its history
    (attempts, error, times). The copy has its own ID and attempts, points at the original
    with resend_of, and respects an opt-out made since: then it returns None. The sealed
    secrets go along, so a link in the copy works as it did in the original.
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
        sealed_secrets=message.sealed_secrets,
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
    secrets: Sequence[str] = (),
    sealed_secrets: str = "",
) -> Message | None:
    """The one place a Message is written: with secrets given, the bodies hold placeholders
    and the secrets are sealed; `sealed_secrets` is for a copy whose bodies already do."""
    to_email = to_email.strip()
    if any(secret and secret in subject for secret in secrets):
        # The subject is shown in every list and mail program's overview: never a secret.
        raise OutboxError("A secret cannot go in a subject.")
    if secrets:
        sealed = bodies_seal(body_text=body_text, body_html=body_html, secrets=secrets)
        body_text, body_html, sealed_secrets = (
            sealed.body_text,
            sealed.body_html,
            sealed.sealed_secrets,
        )
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
        "sealed_secrets": sealed_secrets,
        "message_id": Message.new_message_id(),
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
    # robust: if the broker is down, the committed request must not turn into an error
    # page. The row is safe in the table and the sweep asks for a batch later.
    transaction.on_commit(batch_request, robust=True)
    return message
