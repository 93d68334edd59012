"""Reading a mail as its recipient gets it, not as the outbox stores it."""

from outbox.models import Message
from outbox.sealed import bodies_unseal


def delivered_text(message: Message) -> str:
    """The plain text with its secrets (links with a token) put back, as the worker sends it."""
    return delivered_bodies(message)[0]


def delivered_bodies(message: Message) -> tuple[str, str]:
    """(plain text, HTML) with their secrets put back, as the worker sends them."""
    return bodies_unseal(
        body_text=message.body_text,
        body_html=message.body_html,
        sealed_secrets=message.sealed_secrets,
    )
