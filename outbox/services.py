"""Queueing and sending email through the outbox table."""

from django.db import transaction

from accounts.models import User
from outbox.enums import MessageKind
from outbox.models import Message


def message_queue(
    *,
    to_email: str,
    kind: MessageKind,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str,
    user: User | None = None,
) -> Message:
    """Store one message for one recipient and send it after the transaction commits."""
    message = Message.objects.create(
        recipient=user,
        to_email=to_email,
        kind=kind,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=Message.new_message_id(),
    )
    from outbox.tasks import send_message

    transaction.on_commit(lambda: send_message.delay(message.pk))
    return message
