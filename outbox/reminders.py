"""Reminders: periodic scans of what is due, each reminder sent once, ever.

No task waits with a long countdown for its moment. A scan every few minutes asks each
registered source what is due now; a reminder lost in a crash is simply found again at the
next scan. Sending is "insert into the sent-log, then queue the mail", in one transaction:
the log's unique key (kind, subject, recipient) makes a second scan, or a second beat process
running the same scan at the same moment, queue nothing.

The apps that own the objects (projects, events, partners) register their sources here at
start-up, so outbox imports none of them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from outbox.enums import MessageKind, ReminderKind
from outbox.models import Reminder, ReminderPause
from outbox.services import message_render_and_queue


@dataclass(frozen=True)
class Due:
    """One reminder that should go out now, unless it already went."""

    kind: ReminderKind
    # The object, as "<type>:<id>" (or a period such as "week:2026-W48" for digests).
    subject: str
    recipient: User
    template_prefix: str
    context: dict = field(default_factory=dict, hash=False, compare=False)
    message_kind: MessageKind = MessageKind.REMINDERS


# fn(now) -> the reminders of one kind that are due now (sent or not).
ReminderSource = Callable[[datetime], Iterable[Due]]

_sources: dict[ReminderKind, list[ReminderSource]] = {}
# Weekly digests go out from Monday morning, when people plan their week.
DIGEST_TIME = time(8, 0)


def register_reminder_source(kind: ReminderKind, source: ReminderSource) -> None:
    sources = _sources.setdefault(ReminderKind(kind), [])
    if source not in sources:
        sources.append(source)


def reminder_sources() -> dict[ReminderKind, list[ReminderSource]]:
    return {kind: list(sources) for kind, sources in _sources.items()}


def reminder_send(*, due: Due, now: datetime) -> Reminder | None:
    """Log and queue one reminder; None when it was sent before (by this or another scan).

    The mail's sent-once key repeats the log's key, so even a log row lost with a rolled-back
    transaction cannot let the same reminder be queued twice.
    """
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                kind=due.kind, subject=due.subject, recipient=due.recipient, created_at=now
            )
            message = message_render_and_queue(
                kind=due.message_kind,
                template_prefix=due.template_prefix,
                context=due.context,
                user=due.recipient,
                dedupe_key=f"reminder:{due.kind}:{due.subject}:{due.recipient.pk}",
            )
            if message is not None:
                reminder.message = message
                reminder.save(update_fields=["message"])
    except IntegrityError:
        # The unique key: another scan logged it first, and that one queues the mail.
        return None
    return reminder


def reminders_send_due(*, now: datetime | None = None) -> dict[ReminderKind, int]:
    """Run every registered source and send what is due; returns how many went, per kind.

    Paused kinds are skipped; what they would have sent goes out at the first scan after the
    pause is lifted, as long as it is still due then.
    """
    now = now or timezone.now()
    paused = set(ReminderPause.objects.values_list("kind", flat=True))
    sent: dict[ReminderKind, int] = {}
    for kind, sources in reminder_sources().items():
        if kind in paused:
            continue
        dues = [due for source in sources for due in source(now)]
        already = _already_sent(kind, {due.subject for due in dues})
        sent[kind] = sum(
            reminder_send(due=due, now=now) is not None
            for due in dues
            if (due.subject, due.recipient.pk) not in already
        )
    return sent


def _already_sent(kind: ReminderKind, subjects: set[str]) -> set[tuple[str, int]]:
    """What the log already holds for these subjects, read in one query.

    Only a shortcut that saves rendering mails for nothing: the unique key decides, so a row
    logged meanwhile by another scan is still refused.
    """
    return set(
        Reminder.objects.filter(kind=kind, subject__in=subjects).values_list(
            "subject", "recipient_id"
        )
    )


def digest_week(now: datetime) -> tuple[str, datetime, datetime]:
    """The week a weekly digest is for: (label, since, until).

    A digest week starts on Monday at 8:00 local time; `since`..`until` is the week that
    ended at its start, which the digest reports on. The label keys the sent-log.
    """
    local = timezone.localtime(now)
    monday = local.date() - timedelta(days=local.weekday())
    until = timezone.make_aware(datetime.combine(monday, DIGEST_TIME))
    if local < until:
        monday -= timedelta(days=7)
        until -= timedelta(days=7)
    year, week, _day = monday.isocalendar()
    return f"week:{year}-W{week:02d}", until - timedelta(days=7), until
