"""Thin Celery tasks: they take primary keys and call one service.

Routed to the `mail` queue by CELERY_TASK_ROUTES (`outbox.*`), so slow mail servers never
hold up other work.
"""

from celery import shared_task
from django.conf import settings

from outbox.services import MessageDeferredError, message_send, messages_sweep


@shared_task(
    name="outbox.send_message",
    # Acknowledged after the run: a worker killed mid-send leaves the task to be redelivered,
    # and message_send sends nothing for a row that is no longer queued.
    acks_late=True,
    autoretry_for=(MessageDeferredError,),
    # Waits OUTBOX_RETRY_BACKOFF * 2**retry seconds (with jitter), as services.retry_delay.
    retry_backoff=settings.OUTBOX_RETRY_BACKOFF,
    retry_backoff_max=settings.OUTBOX_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    # The row's attempts decide when to give up (message_send marks it failed and stops
    # raising); this is only a safety net.
    max_retries=settings.OUTBOX_MAX_ATTEMPTS,
)
def send_message(message_id: int) -> None:
    message_send(message_id=message_id)


@shared_task(name="outbox.sweep", acks_late=True)
def sweep() -> None:
    messages_sweep()
