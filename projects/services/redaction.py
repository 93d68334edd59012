"""Redacting words that name someone from a cohort's history.

Coordinators do this by hand when asked (the admin's "Redact text" action); see
lerenmetdestad/redaction.py for how the words are matched and replaced.
"""

from collections.abc import Iterable
from datetime import datetime

from accounts.models import User
from lerenmetdestad.redaction import history_redact
from projects.models import CohortLogEntry

# The log's action is free text here, like allocation's PUBLISH_ACTION.
REDACT_ACTION = "redact"


def cohort_log_redact(
    *,
    entry_ids: Iterable[int],
    words: str,
    reason: str,
    actor: User,
    now: datetime | None = None,
) -> int:
    """Replace the words in these history lines' message; return how many lines changed.

    Writes one "redact" line in each cohort's history with the actor and the reason, never
    the words. Raises RedactionError when the words or the reason will not do.
    """
    return history_redact(
        log_model=CohortLogEntry,
        parent_field="cohort",
        entry_ids=entry_ids,
        words=words,
        reason=reason,
        actor=actor,
        action=REDACT_ACTION,
        now=now,
    )
