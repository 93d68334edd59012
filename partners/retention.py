"""The attachments of ended challenges, deleted once their retention period has passed.

A step of the accounts retention job (registered in partners/privacy.py). Safe to run twice
or in two workers at once: each row is locked with SKIP LOCKED, so two runs split the rows
between them instead of deleting one twice.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from lerenmetdestad.locking import lock_rows
from partners.enums import ChallengeState
from partners.models import ChallengeAttachment

logger = logging.getLogger(__name__)

# Declined challenges have ended too: their files are no more needed than those of closed ones.
ENDED_CHALLENGE_STATES = (ChallengeState.CLOSED, ChallengeState.DECLINED)
_BATCH = 200


def attachments_of_ended_challenges_delete(now: datetime) -> list[int]:
    """Delete the attachments of challenges ended CHALLENGE_ATTACHMENT_RETENTION_DAYS ago.

    Side effects: rows deleted in batches and, after each batch commits, their files removed
    from storage. Returns the ids of the rows deleted.
    """
    ended_before = now - timedelta(days=settings.CHALLENGE_ATTACHMENT_RETENTION_DAYS)
    old = ChallengeAttachment.objects.filter(
        challenge__state__in=ENDED_CHALLENGE_STATES, challenge__state_changed_at__lt=ended_before
    ).order_by("pk")
    deleted: list[int] = []
    while True:
        with transaction.atomic():
            batch = list(
                lock_rows(old, of=("self",), skip_locked=True).values_list("pk", "file")[:_BATCH]
            )
            if not batch:
                return deleted
            ChallengeAttachment.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
            names = [name for _pk, name in batch if name]
            # Files go only once the rows are gone for good: a rollback keeps both.
            transaction.on_commit(lambda names=names: _files_delete(names))
        deleted.extend(pk for pk, _name in batch)


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row is gone either way; a file left behind is logged to be removed by hand.
            logger.exception("retention: could not delete attachment file %s", name)
