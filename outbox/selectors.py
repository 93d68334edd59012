"""Reads about who wants which mail."""

from accounts.models import User
from outbox.enums import REQUIRED_KINDS, MessageKind
from outbox.models import OptOut
from outbox.tokens import InvalidUnsubscribeTokenError, unsubscribe_token_read


def opted_out_kinds(*, user: User) -> set[str]:
    return set(OptOut.objects.filter(user=user).values_list("kind", flat=True))


def user_wants_kind(*, user: User, kind: str) -> bool:
    """Whether the person wants mail of this kind; required kinds always come."""
    if kind in REQUIRED_KINDS:
        return True
    return not OptOut.objects.filter(user=user, kind=kind).exists()


def unsubscribe_target(*, token: str) -> tuple[User, MessageKind]:
    """The person and kind an unsubscribe link is for, or InvalidUnsubscribeTokenError.

    A well-signed token for a person who has since been removed is as useless as a forged
    one, so both raise the same error and the page says the same thing.
    """
    user_id, kind = unsubscribe_token_read(token=token)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidUnsubscribeTokenError("no such user")
    return user, MessageKind(kind)
