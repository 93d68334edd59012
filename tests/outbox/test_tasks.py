import pytest
from django.db import InterfaceError, OperationalError

from lerenmetdestad.celery import app as celery_app
from outbox import tasks

pytestmark = [pytest.mark.unit]


@pytest.mark.parametrize("name", ["outbox.send_batch", "outbox.sweep"])
def test_outbox_task_is_routed_to_the_mail_queue(name):
    assert celery_app.amqp.router.route({}, name)["queue"].name == "mail"


def test_reminder_scan_is_routed_to_the_default_queue():
    assert celery_app.amqp.router.route({}, "reminders.send_due")["queue"].name == "default"


@pytest.mark.parametrize("name", ["outbox.send_batch", "outbox.sweep", "reminders.send_due"])
def test_task_is_acknowledged_late_and_runs_again_if_its_worker_dies(name):
    task = celery_app.tasks[name]

    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)


def test_send_batch_task_retries_only_when_the_database_is_away_with_back_off():
    task = celery_app.tasks["outbox.send_batch"]

    assert tasks.send_batch.name == task.name
    assert task.autoretry_for == (OperationalError, InterfaceError)
    assert (task.retry_backoff, task.retry_backoff_max, task.max_retries) == (True, 60, 5)


def test_tasks_have_time_limits():
    assert (celery_app.conf.task_soft_time_limit, celery_app.conf.task_time_limit) == (240, 300)


def test_beat_runs_the_sweep_every_minute():
    entry = celery_app.conf.beat_schedule["outbox-sweep"]

    assert (entry["task"], entry["schedule"], entry["options"]) == (
        "outbox.sweep",
        60.0,
        {"expires": 55},
    )
    assert entry["task"] in celery_app.tasks


def test_beat_scans_for_due_reminders_every_five_minutes():
    entry = celery_app.conf.beat_schedule["reminders-send-due"]

    assert (entry["task"], entry["schedule"]) == ("reminders.send_due", 300.0)
    # A scan that waited until the next one is due is dropped: the next one does its work.
    assert entry["options"]["expires"] < entry["schedule"]
    assert entry["task"] in celery_app.tasks


def test_every_beat_job_expires_before_its_next_run():
    schedule = celery_app.conf.beat_schedule

    assert all(entry["options"]["expires"] < entry["schedule"] for entry in schedule.values())
