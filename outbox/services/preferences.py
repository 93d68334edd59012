"""Who wants which kind of mail: opt-outs, and pauses of a kind of reminder."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from outbox.enums import OPTIONAL_KINDS, REQUIRED_KINDS, MessageKind, ReminderKind
from outbox.models import OptOut, ReminderPause
from outbox.services.errors import OutboxError


def opt_out_create(*, user: User, kind: MessageKind) -> OptOut:
    """Switch one optional kind off for a person. Doing it twice changes nothing."""
    kind = MessageKind(kind)
    if kind in REQUIRED_KINDS:
        raise OutboxError(_("Emails about your account cannot be switched off."))
    # get_or_create retries the read if a simultaneous request inserted the row first;
    # the unique constraint on (user, kind) makes sure only one row exists.
    opt_out, _created = OptOut.objects.get_or_create(user=user, kind=kind)
    return opt_out


@transaction.atomic
def mail_preferences_update(*, user: User, receive: Iterable[str]) -> set[MessageKind]:
    """Make a person's opt-outs match the optional kinds they still want to receive.

    Returns the kinds now switched off. Required kinds are always received and ignored here.
    """
    wanted = {MessageKind(kind) for kind in receive}
    switched_off = {kind for kind in OPTIONAL_KINDS if kind not in wanted}
    # Two saves of the form at once (two tabs) would each delete and insert; locking the
    # person makes the last one win whole instead of mixing both.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
    OptOut.objects.filter(user=user).exclude(kind__in=switched_off).delete()
    OptOut.objects.bulk_create(
        [OptOut(user=user, kind=kind) for kind in sorted(switched_off)], ignore_conflicts=True
    )
    return switched_off


def reminder_pause_create(*, kind: ReminderKind, user: User | None) -> ReminderPause:
    """Pause one kind of reminder: scans skip it until the pause is deleted.

    Pausing a paused kind changes nothing (the unique kind backs this when two
    coordinators pause it at once); the first pause keeps its author and time.
    """
    pause, _created = ReminderPause.objects.get_or_create(
        kind=ReminderKind(kind), defaults={"paused_by": user}
    )
    return pause


def reminder_pause_delete(*, kind: ReminderKind) -> None:
    """Lift a pause. What fell due meanwhile goes out at the next scan, if it is still due."""
    ReminderPause.objects.filter(kind=ReminderKind(kind)).delete()
