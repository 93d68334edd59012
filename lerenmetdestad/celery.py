import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerenmetdestad.settings")

app = Celery("lerenmetdestad")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# django-celery-beat does not support Django 6.1 yet, so the periodic schedule lives here,
# in code, reviewed like any other change. Each job must be idempotent (see STYLE.md).
app.conf.beat_schedule = {}
