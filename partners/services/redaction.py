"""Redacting words that name someone from a challenge's conversation and history.

Coordinators do this by hand when asked (the admin's "Redact text" action); see
lerenmetdestad/redaction.py for how the words are matched and replaced.
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from accounts.models import User
from lerenmetdestad.redaction import history_redact, texts_redact
from partners.enums import ChallengeAction
from partners.models import ChallengeLogEntry, ChallengeMessage


def challenge_messages_redact(
    *,
    message_ids: Iterable[int],
    words: str,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> int:
    """Replace the words in these messages' text; return how many messages changed.

    Writes one "text redacted" line in each challenge's history with the actor and the
    reason, never the words. Raises RedactionError when the words or the reason will not do.
    """
    return texts_redact(
        rows=ChallengeMessage.objects.filter(pk__in=list(message_ids)),
        field="body",
        parent_field="challenge",
        words=words,
        reason=reason,
        log=_history_line(actor=actor, now=now, kind="messages"),
    )


def challenge_log_redact(
    *,
    entry_ids: Iterable[int],
    words: str,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> int:
    """Replace the words in these history lines' message; return how many lines changed.

    Writes one "text redacted" line in each challenge's history, like
    challenge_messages_redact.
    """
    return history_redact(
        log_model=ChallengeLogEntry,
        parent_field="challenge",
        entry_ids=entry_ids,
        words=words,
        reason=reason,
        actor=actor,
        action=ChallengeAction.REDACT,
        now=now,
    )


def _history_line(*, actor: User, now: datetime | None, kind: str):
    now = now or timezone.now()

    def log(*, parent_id: int, row_ids: list[int], reason: str) -> None:
        ChallengeLogEntry.objects.create(
            challenge_id=parent_id,
            actor=actor,
            action=ChallengeAction.REDACT,
            message=reason,
            data={kind: row_ids},
            created_at=now,
        )

    return log
