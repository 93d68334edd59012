import os

from celery import Celery

from lerenmetdestad.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerenmetdestad.settings")

app = Celery("lerenmetdestad")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# django-celery-beat does not support Django 6.1 yet, so the periodic schedule lives here,
# in code, reviewed like any other change. Each job must be idempotent and safe when two
# runs overlap (see STYLE.md), and expires before its next run is due, so a backlog after
# an outage runs each job once instead of many times.
app.conf.beat_schedule = {
    # Requeues mail stuck in `sending` and asks for a batch when mail is due (after its
    # back-off, or because the batch that should have taken it was lost).
    "outbox-sweep": {
        "task": "outbox.sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Reminders come from scans of what is due, not from tasks waiting with a countdown:
    # a scan lost with its worker is simply done by the next one. The sent-log makes each
    # reminder go out once, however many scans run (outbox.reminders).
    "reminders-send-due": {
        "task": "reminders.send_due",
        "schedule": 5 * 60.0,
        "options": {"expires": 4 * 60},
    },
    # The cohort lifecycle: "daily" in the brief, run hourly so that a registration window
    # opens or closes within the hour of its moment; each run only does what is due.
    "projects-cohorts-advance": {
        "task": "projects.cohorts_advance",
        "schedule": 60 * 60.0,
        "options": {"expires": 50 * 60},
    },
    # Windows close on the hour or half hour in practice; a dry run within 15 minutes of the
    # close is soon enough for the coordinator, who reviews and publishes it.
    # Retention periods are counted in days (years for accounts): once a day is plenty.
    "accounts-retention": {
        "task": "accounts.retention",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 23 * 60 * 60},
    },
    "matching-allocation-runs-due": {
        "task": "matching.allocation_runs_due",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
}

# For tests only (tests/outbox/test_worker_beat.py): every job every N seconds, so a test
# can watch two beat processes side by side. Unset, or 0, in every real deployment.
_test_interval = env_int("BEAT_SCHEDULE_SECONDS_OVERRIDE", 0, minimum=0)
if _test_interval:
    for _entry in app.conf.beat_schedule.values():
        _entry["schedule"] = float(_test_interval)
        _entry["options"] = {**_entry.get("options", {}), "expires": _test_interval}
