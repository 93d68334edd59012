import pytest

from lerenmetdestad.celery import app as celery_app
from outbox import tasks
from outbox.services import MessageDeferredError

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("name", ["outbox.send_message", "outbox.sweep"])
def test_outbox_task_is_routed_to_the_mail_queue(name):
    assert celery_app.amqp.router.route({}, name)["queue"].name == "mail"


def test_send_message_task_retries_deferred_mail_with_back_off_and_late_acks():
    task = celery_app.tasks["outbox.send_message"]

    assert tasks.send_message.name == task.name
    assert (task.acks_late, task.autoretry_for) == (True, (MessageDeferredError,))
    assert (task.retry_backoff, task.retry_backoff_max) == (30, 3600)


def test_beat_runs_the_sweep_every_minute():
    entry = celery_app.conf.beat_schedule["outbox-sweep"]

    assert (entry["task"], entry["schedule"]) == ("outbox.sweep", 60.0)
    assert entry["task"] in celery_app.tasks
