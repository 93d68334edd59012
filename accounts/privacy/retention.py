"""The retention periods the privacy statement promises, applied on a schedule.

It may run twice, or in two workers at once: each account is erased under a lock on its row
and skipped once erased. The apps' own clean-ups (a challenge's attachments, in partners)
register as steps and must be as safe to repeat.

Each account is erased in its own transaction. One that cannot be erased, because erasure
refuses (the last coordinator, a place still under way) or because something fails, is left
as it was, logged and written down as an ErasureFailure for the coordinators; the job goes
on with the next account.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ErasureFailure, User
from accounts.privacy.erasure import (
    ERASED_DOMAIN,
    ErasureError,
    account_anonymise,
    failure_log,
    failure_reason,
)
from lerenmetdestad.locking import lock_rows

logger = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    accounts_erased: list[int] = field(default_factory=list)
    accounts_kept: dict[int, str] = field(default_factory=dict)
    # What each app's clean-up step removed, by the step's name: ids of the rows.
    removed: dict[str, list[int]] = field(default_factory=dict)


# A clean-up step of an app: given the moment of the run, it removes what has passed its
# retention period and returns the ids of the rows it removed.
RetentionStep = Callable[[datetime], list[int]]
_steps: dict[str, RetentionStep] = {}


def register_retention_step(name: str, step: RetentionStep) -> None:
    _steps[name] = step


def retention_run(*, now: datetime | None = None) -> RetentionReport:
    """Erase accounts unused for ACCOUNT_RETENTION_DAYS, then run each app's clean-up step
    (partners deletes the attachments of challenges ended CHALLENGE_ATTACHMENT_RETENTION_DAYS
    ago).

    Side effects: as account_anonymise for each such account; as each step. An account that
    cannot be erased (the last coordinator, someone with a place still under way, an error in the
    database) is left, logged and recorded as an ErasureFailure (created, or its attempts
    counted up); the failure rows of accounts erased, or no longer due, are deleted.
    """
    now = now or timezone.now()
    report = RetentionReport()
    _accounts_erase(
        report, inactive_before=now - timedelta(days=settings.ACCOUNT_RETENTION_DAYS), now=now
    )
    for name, step in _steps.items():
        report.removed[name] = step(now)
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
            reason = failure_reason(error)
            failure_log(user_id, error, where="retention")
        else:
            if erased is not None:
                report.accounts_erased.append(user_id)
            ErasureFailure.objects.filter(user_id=user_id).delete()
            continue
        report.accounts_kept[user_id] = reason
        _failure_record(user_id=user_id, reason=reason, now=now)


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
