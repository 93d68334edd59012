from pathlib import Path

import pytest

from lerenmetdestad.celery import app as celery_app

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture
def mail_templates(settings):
    """Our test mail templates (tests/outbox/templates/outbox_tests/) on the template path."""
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES_DIR]
    settings.TEMPLATES = templates


@pytest.fixture
def celery_eager():
    """Tasks run in this process the moment they are queued, instead of going to Redis."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


@pytest.fixture
def smtp_mailer(settings, smtp_inbox):
    """MAILERS pointed at the local test SMTP server instead of locmem."""
    settings.MAILERS = smtp_inbox.mailers()
    return smtp_inbox
