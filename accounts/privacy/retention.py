"""The retention periods the privacy statement promises, applied on a schedule.

Both clean-ups may run twice, or in two workers at once: each account is erased under a lock
on its row and skipped once erased; each attachment row is locked with SKIP LOCKED, so two
runs split the rows between them instead of deleting one twice.

Each account is erased in its own transaction. One that cannot be erased, because erasure
refuses (the last coordinator, a place still under way) or because something fails, is left
as it was, logged and written down as an ErasureFailure for the coordinators; the job goes
on with the next account.
"""

import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ErasureFailure, User
from accounts.privacy.erasure import ERASED_DOMAIN, ErasureError, account_anonymise
from lerenmetdestad.locking import lock_rows
from partners.enums import ChallengeState
from partners.models import ChallengeAttachment

logger = logging.getLogger(__name__)

# Declined challenges have ended too: their files are no more needed than those of closed ones.
ENDED_CHALLENGE_STATES = (ChallengeState.CLOSED, ChallengeState.DECLINED)
_ATTACHMENT_BATCH = 200
# How much of an unexpected error's message is kept as the reason coordinators read.
_REASON_LENGTH = 300


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
    erased (the last coordinator, someone with a place still under way, an error in the
    database) is left, logged and recorded as an ErasureFailure (created, or its attempts
    counted up); the failure rows of accounts erased, or no longer due, are deleted.
    """
    now = now or timezone.now()
    report = RetentionReport()
    _accounts_erase(
        report, inactive_before=now - timedelta(days=settings.ACCOUNT_RETENTION_DAYS), now=now
    )
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


def _accounts_erase(report: RetentionReport, *, inactive_before: datetime, now: datetime) -> None:
    due = inactive_accounts(inactive_before=inactive_before)
    # Accounts erased since (by the person, or by an earlier run) or active again: nothing
    # about them is waiting any more.
    ErasureFailure.objects.exclude(user__in=due).delete()
    user_ids = list(due.order_by("pk").values_list("pk", flat=True))
    for user_id in user_ids:
        try:
            erased = account_anonymise(user_id=user_id, inactive_before=inactive_before)
        except ErasureError as error:
            reason = str(error)
            logger.warning("retention: account %s kept: %s", user_id, reason)
        except Exception as error:
            # Anything else, a database error included: account_anonymise's transaction has
            # rolled back, so this account is as it was and the next one may go ahead.
            reason = _technical_reason(error)
            _failure_log(user_id, reason, error)
        else:
            if erased is not None:
                report.accounts_erased.append(user_id)
            ErasureFailure.objects.filter(user_id=user_id).delete()
            continue
        report.accounts_kept[user_id] = reason
        _failure_record(user_id=user_id, reason=reason, now=now)


def _technical_reason(error: Exception) -> str:
    """The error's class and the first line of its message. PostgreSQL puts the values of a
    key in the lines after it (DETAIL), which may be someone's email address."""
    first_line = str(error).strip().partition("\n")[0]
    reason = f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return reason[:_REASON_LENGTH]


def _failure_log(user_id: int, reason: str, error: Exception) -> None:
    # Not logger.exception: that would print the whole message, DETAIL lines included. The
    # frames say where it failed, the reason what; neither names the person.
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        "retention: account %s could not be erased: %s\nTraceback (most recent call last):\n%s",
        user_id,
        reason,
        frames.rstrip(),
    )


def _failure_record(*, user_id: int, reason: str, now: datetime) -> None:
    """Create the account's ErasureFailure, or count one attempt more on it, in a transaction
    of its own (the erasure's has rolled back by now). Under a lock on the user row, so two
    overlapping runs do not both create it. A failure to record is logged, and the job goes
    on all the same."""
    try:
        with transaction.atomic():
            if lock_rows(User.objects.filter(pk=user_id)).first() is None:
                return
            counted = ErasureFailure.objects.filter(user_id=user_id).update(
                reason=reason, last_failed_at=now, attempts=F("attempts") + 1
            )
            if not counted:
                ErasureFailure.objects.create(
                    user_id=user_id, reason=reason, first_failed_at=now, last_failed_at=now
                )
    except Exception:
        logger.exception("retention: could not record why account %s was kept", user_id)


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
