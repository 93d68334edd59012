import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerenmetdestad.settings")

app = Celery("lerenmetdestad")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# django-celery-beat does not support Django 6.1 yet, so the periodic schedule lives here,
# in code, reviewed like any other change. Each job must be idempotent (see STYLE.md).
app.conf.beat_schedule = {
    # Requeues mail stuck in `sending` and hands queued mail whose task was lost to a worker.
    "outbox-sweep": {
        "task": "outbox.sweep",
        "schedule": 60.0,
        # A sweep still waiting when the next one is due is pointless: drop it.
        "options": {"expires": 55},
    },
}
