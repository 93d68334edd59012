"""Thin Celery tasks: they take primary keys (or nothing) and call one service.

`outbox.*` tasks go to the `mail` queue (CELERY_TASK_ROUTES), so a slow mail server never
holds up other work; `reminders.send_due` goes to `default`. Each is safe to run twice, so
each is acknowledged after it ran and handed to another worker if its own dies
(acks_late, reject_on_worker_lost): a second run finds nothing left to do.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from outbox.reminders import reminders_send_due
from outbox.services import messages_send_batch, messages_sweep

# A database that is away for a moment (a restart, a failover) is worth a few quick
# retries. Mail errors are not retried here: each message keeps its own back-off in its
# row, and the sweep asks for a batch when it is due.
DATABASE_AWAY = (OperationalError, InterfaceError)


@shared_task(
    name="outbox.send_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=DATABASE_AWAY,
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def send_batch() -> None:
    messages_send_batch()


@shared_task(name="outbox.sweep", acks_late=True, reject_on_worker_lost=True)
def sweep() -> None:
    messages_sweep()


@shared_task(name="reminders.send_due", acks_late=True, reject_on_worker_lost=True)
def send_due_reminders() -> None:
    reminders_send_due()
