"""Erasing a person: exactly the rows the privacy registry ties to them, in one transaction.

The account stays as an anonymous row ("Verwijderde gebruiker 12"), so that rows other
people or the city's records need (a group's size, hours worked, a dossier, a decision) keep
pointing somewhere; what each app does with its rows is declared in its privacy.py. No text
of anyone else is searched or rewritten: what other people wrote about the person stays
theirs (the privacy statement says so), and coordinators can redact a message by hand.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.privacy.registry import (
    Anonymise,
    Blank,
    Delete,
    ErasureContext,
    Keep,
    Person,
    PersonalData,
    declarations,
)
from accounts.services import AccountError
from lerenmetdestad.locking import lock_rows

logger = logging.getLogger(__name__)

# RFC 2606 reserves .invalid: no mail to these addresses can ever be delivered.
ERASED_DOMAIN = "erased.invalid"
# Stored data in the site's language, not an interface string: it stands in rosters and
# logs for whoever reads them, as the person's name did.
ERASED_NAME = "Verwijderde gebruiker {number}"
# How much of an unexpected error's message is kept as the reason coordinators read.
_REASON_LENGTH = 300


class ErasureError(AccountError):
    """The account cannot be erased now; the message says why and what to do."""


@dataclass(frozen=True)
class Erased:
    user_id: int
    rows_changed: int


# A guard says why a person cannot be erased yet (a place in a group under way), or None.
# Apps register theirs next to their declarations, so accounts imports none of them.
Guard = Callable[[User], str | None]
_guards: list[Guard] = []


def register_guard(guard: Guard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def erased_email(user_id: int) -> str:
    return f"user-{user_id}@{ERASED_DOMAIN}"


def erased_name(user_id: int) -> str:
    return ERASED_NAME.format(number=user_id)


def is_erased(user: User) -> bool:
    return user.email == erased_email(user.pk)


def person_of(user: User) -> Person:
    """The person as the registry ties rows to them: the account and the addresses they
    confirmed. An address only added, never confirmed, may be anyone's and ties nothing."""
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return Person(user_id=user.pk, verified_addresses=frozenset(a.lower() for a in verified))


def account_erase(*, user: User, confirm_email: str) -> Erased:
    """The person's own erasure, confirmed by typing the email address of the account.

    Side effects: as account_anonymise. Raises ErasureError, and writes nothing, when the
    confirmation does not match, the account cannot be erased now, or the database refuses.
    """
    if confirm_email.strip().casefold() != user.email.casefold() or is_erased(user):
        raise ErasureError(_("Type the email address of your account exactly to confirm."))
    try:
        erased = account_anonymise(user_id=user.pk)
    except DatabaseError as error:
        # The transaction rolled back whole: say so, and keep the details for us, not the page.
        failure_log(user.pk, error, where="erasure")
        raise ErasureError(
            _(
                "Your account could not be erased because of an error on our side. Nothing "
                "has been changed. Try again later, or ask us at privacy@lerenmetdestad.nl."
            )
        ) from None
    if erased is None:
        raise ErasureError(_("This account has already been erased."))
    return erased


def account_anonymise(*, user_id: int, inactive_before: datetime | None = None) -> Erased | None:
    """Erase one person: every row the registry ties to them, as each declaration says.

    With `inactive_before` (the retention job) the person is left alone if they signed in
    since. Returns None when there was nothing to do (already erased, or active again).
    Raises ErasureError, and changes nothing, when a guard refuses (the last coordinator,
    a place under way); any other error rolls the whole erasure back too.
    Side effects: the declared deletes, blanks and anonymisations in one transaction; the
    files of deleted rows removed from storage after commit.
    """
    with transaction.atomic():
        user = lock_rows(User.objects.filter(pk=user_id)).first()
        if user is None or is_erased(user):
            return None
        if inactive_before is not None and (user.last_login or user.date_joined) >= inactive_before:
            return None
        _check_erasable(user)

        context = ErasureContext(
            person=person_of(user),
            erased_name=erased_name(user.pk),
            erased_email=erased_email(user.pk),
        )
        # Every tie is read before anything changes: deleting an address or a membership
        # must not change which rows a later declaration finds.
        tied = [
            (declaration, list(declaration.rows(context.person).values_list("pk", flat=True)))
            for declaration in declarations()
            if not isinstance(declaration.erase, Keep)
        ]
        changed = sum(_apply(declaration, pks, context) for declaration, pks in tied if pks)
        files = list(context.files)
        transaction.on_commit(lambda: _files_delete(files))
    return Erased(user_id=user_id, rows_changed=changed)


def _check_erasable(user: User) -> None:
    if user.is_coordinator and user.is_active:
        others = User.objects.filter(is_active=True, is_staff=True, role=user.role).exclude(
            pk=user.pk
        )
        if not others.exists():
            raise ErasureError(
                _(
                    "You are the last coordinator. Make someone else coordinator first, "
                    "so that the platform can still be run."
                )
            )
    for guard in _guards:
        refusal = guard(user)
        if refusal:
            raise ErasureError(refusal)


def _apply(declaration: PersonalData, pks: list, context: ErasureContext) -> int:
    rows = declaration.model_class._base_manager.filter(pk__in=pks)
    match declaration.erase:
        case Keep():
            return 0
        case Blank(values=values):
            return rows.update(**values)
        case Anonymise(apply=apply):
            apply(rows, context)
            return len(pks)
        case Delete(files=file_fields):
            for file_field in file_fields:
                context.files.extend(
                    name for name in rows.values_list(file_field, flat=True) if name
                )
            deleted, _per_model = rows.delete()
            return deleted
    raise TypeError(f"{declaration.model}: unknown erasure {declaration.erase!r}")


def failure_reason(error: Exception) -> str:
    """The error's class and the first line of its message. PostgreSQL puts the values of a
    key in the lines after it (DETAIL), which may be someone's email address."""
    first_line = str(error).strip().partition("\n")[0]
    reason = f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return reason[:_REASON_LENGTH]


def failure_log(user_id: int, error: Exception, *, where: str) -> None:
    """Log an erasure that failed, without the person's name or address."""
    # Not logger.exception: that would print the whole message, DETAIL lines included. The
    # frames say where it failed, the reason what; neither names the person.
    frames = "".join(traceback.format_tb(error.__traceback__))
    logger.error(
        "%s: account %s could not be erased: %s\nTraceback (most recent call last):\n%s",
        where,
        user_id,
        failure_reason(error),
        frames.rstrip(),
    )


def _files_delete(names: list[str]) -> None:
    # Through the storage API, so the same holds on object storage.
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # The row is gone either way; a file left behind is logged to be removed by hand.
            logger.exception("erasure: could not delete file %s", name)
