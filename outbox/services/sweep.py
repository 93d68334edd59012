"""The periodic sweep: what a lost task or a dead worker left behind gets going again."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lerenmetdestad.locking import lock_rows
from outbox.enums import MessageStatus
from outbox.models import Message
from outbox.services.sending import batch_request

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    failed: int
    due: int


def messages_sweep(*, now: datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Put rows stuck in `sending` back in the queue, and ask for a batch when rows are due.

    A row is stuck when it has been sending for longer than OUTBOX_SENDING_TIMEOUT, which
    is longer than any task may run: its worker died mid-batch. The mail may have left or
    not; sending it again under the same Message-ID lets mail programs drop a duplicate.
    Rows are due when their back-off after a failed attempt is over, or when the batch
    that should have taken them was lost; one batch request covers them all (a full batch
    asks for the next).

    Idempotent and safe when two runs overlap: each run locks the stuck rows it takes with
    SKIP LOCKED, so two runs split them instead of doing them twice, and a second request
    for a batch adds nothing while the first one's task waits. A batch claims each row
    once, however many batches are asked for.
    Side effects: after commit, at most one outbox.send_batch task.
    """
    now = now or timezone.now()
    stuck_since = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    requeued = failed = 0
    with transaction.atomic():
        stuck = lock_rows(
            Message.objects.filter(
                status=MessageStatus.SENDING, sending_started_at__lte=stuck_since
            ),
            skip_locked=True,
        ).order_by("sending_started_at")[:batch_size]
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
        due = Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now).count()
        if due:
            # robust: a broker that is down now is asked again at the next sweep.
            transaction.on_commit(batch_request, robust=True)
    if requeued or failed or due:
        logger.info(
            "outbox sweep: %s stuck requeued, %s given up, %s due for a batch",
            requeued,
            failed,
            due,
        )
    return SweepResult(requeued=requeued, failed=failed, due=due)
