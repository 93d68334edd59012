from celery import shared_task


@shared_task(name="outbox.send_message", acks_late=True)
def send_message(message_id: int) -> None:
    from outbox.services import message_send

    message_send(message_id=message_id)
