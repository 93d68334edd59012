"""Queueing and sending email through the outbox table.

The flow: code elsewhere calls message_queue (content it rendered itself, such as allauth's)
or message_render_and_queue (our own templates). That writes one Message row per recipient,
due at once, and once the transaction commits asks for a batch: the outbox.send_batch task
on the mail queue. The batch claims up to OUTBOX_BATCH_SIZE due rows (queued → sending),
sends them over one connection to the mail server outside any transaction and records each
outcome right after its own send: sent; queued again with the error and a back-off; or
failed. messages_sweep, run by beat every minute, queues rows stuck in `sending` again and
asks for a batch when rows are due: after a back-off, or when a batch was lost.

Modules: queueing (writing messages), sending (batches, the back-off), sweep, preferences
(opt-outs and paused reminders), errors. Import from here.
"""

from outbox.services.errors import MessageDeferredError, OutboxError
from outbox.services.preferences import (
    mail_preferences_update,
    opt_out_create,
    reminder_pause_create,
    reminder_pause_delete,
)
from outbox.services.queueing import message_queue, message_render_and_queue, message_resend
from outbox.services.sending import (
    BatchResult,
    message_send,
    messages_send_batch,
    retry_delay,
)
from outbox.services.sweep import SweepResult, messages_sweep

__all__ = [
    "BatchResult",
    "MessageDeferredError",
    "OutboxError",
    "SweepResult",
    "mail_preferences_update",
    "message_queue",
    "message_render_and_queue",
    "message_resend",
    "message_send",
    "messages_send_batch",
    "messages_sweep",
    "opt_out_create",
    "reminder_pause_create",
    "reminder_pause_delete",
    "retry_delay",
]
