"""The errors the outbox's services raise."""


class OutboxError(Exception):
    """A rule about mail was broken; the message is fit to show a coordinator."""


class MessageDeferredError(OutboxError):
    """Sending failed for now; the message is queued again and goes out after its back-off."""
