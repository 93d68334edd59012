"""Mail and reminders when things go wrong: a worker killed mid-batch, two beats at once.

Each test starts its own Celery processes (celery_processes), because it kills or doubles
them; the SMTP server is the test process's own (smtp_inbox).
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from outbox.enums import MessageKind
from outbox.models import Message, Reminder
from outbox.services import message_queue, messages_sweep
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import UserFactory
from tests.fixtures.celery_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TIMEOUT = 60


def statuses() -> Counter:
    return Counter(Message.objects.values_list("status", flat=True))


def test_worker_killed_mid_batch_loses_nothing_and_sends_only_the_one_in_flight_twice(
    celery_processes, smtp_inbox, settings
):
    # A long SMTP timeout, so the worker is still waiting for the answer when it is killed.
    first = celery_processes.worker("first", EMAIL_TIMEOUT="60")
    smtp_inbox.hold_after(4)
    with transaction.atomic():
        messages = [
            message_queue(
                to_email=person.email,
                kind=MessageKind.PROJECT_UPDATES,
                subject="Nieuws over je project",
                body_text="Er is nieuws.",
                language="nl",
                user=person,
            )
            for person in UserFactory.create_batch(10)
        ]

    # One batch took all ten; four went out, the fifth is on the wire.
    assert wait_until(smtp_inbox.holding.is_set, timeout=TIMEOUT), first.log()
    assert statuses() == {"sent": 4, "sending": 6}
    first.kill()
    # The server had stored the fifth; its "250" never reached the dead worker.
    in_flight = smtp_inbox.message_ids()[4]
    smtp_inbox.release()

    celery_processes.worker("second")
    # Here the sweep runs with a stuck-timeout of a second instead of fifteen minutes.
    settings.OUTBOX_SENDING_TIMEOUT = 1
    requeued = wait_until(lambda: messages_sweep().requeued, timeout=TIMEOUT, interval=0.5)
    delivered = wait_until(lambda: statuses() == {"sent": 10}, timeout=TIMEOUT)

    # The one in flight and the five the dead worker never reached, claimed together.
    assert requeued == 6
    assert delivered, celery_processes.started[-1].log()
    # Every message arrived, each once, except the one in flight at the kill: the sender
    # could not know it had arrived. It came again under the same Message-ID, which lets a
    # mail program show it once.
    assert Counter(smtp_inbox.message_ids()) == {m.message_id: 1 for m in messages} | {in_flight: 2}
    assert sorted(Message.objects.values_list("attempts", flat=True)) == [1] * 4 + [2] * 6


def test_two_beat_processes_side_by_side_send_each_due_reminder_once(celery_processes, smtp_inbox):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=2))
    registrations = RegistrationFactory.create_batch(3, event=event)
    workers = [celery_processes.worker("a"), celery_processes.worker("b")]

    # Two beats, each sending every periodic job every second, to two workers that run
    # what they get at the same time.
    beats = [celery_processes.beat(name, BEAT_SCHEDULE_SECONDS_OVERRIDE="1") for name in ("a", "b")]
    scanned = wait_until(
        lambda: all(worker.succeeded("reminders.send_due") >= 3 for worker in workers),
        timeout=TIMEOUT,
        interval=0.5,
    )
    assert scanned, "\n".join(process.log() for process in celery_processes.started)
    delivered = wait_until(lambda: statuses() == {"sent": 3}, timeout=TIMEOUT)
    for beat in beats:
        beat.stop()
    assert delivered, "\n".join(process.log() for process in celery_processes.started)

    assert all(beat.sent("reminders.send_due") >= 3 for beat in beats)
    reminders = list(Reminder.objects.select_related("message").order_by("recipient_id"))
    assert [(r.kind, r.subject, r.recipient_id) for r in reminders] == [
        ("event_soon", f"event:{event.pk}", person_id)
        for person_id in sorted(registration.person_id for registration in registrations)
    ]
    assert Message.objects.count() == 3
    assert sorted(smtp_inbox.message_ids()) == sorted(r.message.message_id for r in reminders)
