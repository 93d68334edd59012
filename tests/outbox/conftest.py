import json
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


class MailQueue:
    """The `mail` queue in Redis, as a worker would find it."""

    NAME = "mail"

    def purge(self) -> None:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge(self.NAME)

    def tasks(self) -> list[str]:
        """The names of the tasks waiting in the queue, oldest first."""
        with celery_app.connection_for_write() as connection:
            raw = connection.default_channel.client.lrange(self.NAME, 0, -1)
        # Redis hands out the list's tail first.
        return [json.loads(item)["headers"]["task"] for item in reversed(raw)]


@pytest.fixture
def mail_queue():
    """The `mail` queue in Redis, empty at the start of the test and after it."""
    queue = MailQueue()
    queue.purge()
    yield queue
    queue.purge()


@pytest.fixture
def smtp_mailer(settings, smtp_inbox):
    """MAILERS pointed at the local test SMTP server instead of locmem."""
    settings.MAILERS = smtp_inbox.mailers()
    return smtp_inbox
