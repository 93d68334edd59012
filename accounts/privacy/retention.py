"""The retention periods the privacy statement promises, applied on a schedule.

Both clean-ups may run twice, or in two workers at once: each account is erased under a lock
on its row and skipped once erased; each attachment row is locked with SKIP LOCKED, so two
runs split the rows between them instead of deleting one twice.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.privacy.erasure import ERASED_DOMAIN, ErasureError, account_anonymise
from lerenmetdestad.locking import lock_rows
from partners.enums import ChallengeState
from partners.models import ChallengeAttachment

logger = logging.getLogger(__name__)

# Declined challenges have ended too: their files are no more needed than those of closed ones.
ENDED_CHALLENGE_STATES = (ChallengeState.CLOSED, ChallengeState.DECLINED)
_ATTACHMENT_BATCH = 200


@dataclass
class RetentionReport:
    accounts_erased: list[int] = field(default_factory=list)
    accounts_kept: dict[int, str] = field(default_factory=dict)
    attachments_deleted: list[int] = field(default_factory=list)


def retention_run(*, now: datetime | None = None) -> RetentionReport:
    """Erase accounts unused for ACCOUNT_RETENTION_DAYS and delete the attachments of
    challenges ended CHALLENGE_ATTACHMENT_RETENTION_DAYS ago.

    Side effects: as account_anonymise for each such account; attachment rows deleted and,
    after each batch commits, their files removed from storage. An account that cannot be
    erased (the last coordinator, someone with a place still under way) is left and logged.
    """
    now = now or timezone.now()
    report = RetentionReport()
    _accounts_erase(report, inactive_before=now - timedelta(days=settings.ACCOUNT_RETENTION_DAYS))
    _attachments_delete(
        report,
        ended_before=now - timedelta(days=settings.CHALLENGE_ATTACHMENT_RETENTION_DAYS),
    )
    return report


def inactive_accounts(*, inactive_before: datetime):
    """Accounts not erased yet whose last sign-in (or sign-up, for those who never signed in)
    is older than the moment given."""
    return User.objects.exclude(email__endswith=f"@{ERASED_DOMAIN}").filter(
        Q(last_login__lt=inactive_before)
        | Q(last_login__isnull=True, date_joined__lt=inactive_before)
    )


def _accounts_erase(report: RetentionReport, *, inactive_before: datetime) -> None:
    user_ids = list(
        inactive_accounts(inactive_before=inactive_before)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for user_id in user_ids:
        try:
            erased = account_anonymise(user_id=user_id, inactive_before=inactive_before)
        except ErasureError as error:
            report.accounts_kept[user_id] = str(error)
            logger.warning("retention: account %s kept: %s", user_id, error)
            continue
        if erased is not None:
            report.accounts_erased.append(user_id)


def _attachments_delete(report: RetentionReport, *, ended_before: datetime) -> None:
    old = ChallengeAttachment.objects.filter(
        challenge__state__in=ENDED_CHALLENGE_STATES, challenge__state_changed_at__lt=ended_before
    ).order_by("pk")
    while True:
        with transaction.atomic():
            batch = list(
                lock_rows(old, of=("self",), skip_locked=True).values_list("pk", "file")[
                    :_ATTACHMENT_BATCH
                ]
            )
            if not batch:
                return
            ChallengeAttachment.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
            names = [name for _pk, name in batch if name]
            # Files go only once the rows are gone for good: a rollback keeps both.
            transaction.on_commit(lambda names=names: _files_delete(names))
        report.attachments_deleted.extend(pk for pk, _name in batch)


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row is gone either way; a file left behind is logged to be removed by hand.
            logger.exception("retention: could not delete attachment file %s", name)
