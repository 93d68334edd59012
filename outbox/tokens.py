"""Signed links that let a recipient switch off one kind of email without signing in.

The token holds (user id, kind), signed with SECRET_KEY and a salt used for nothing else, so it
cannot be forged or reused for another purpose. It has no timestamp: an unsubscribe link in a
mail from last year must still work (RFC 8058), and it is deterministic, so every retry of a
message carries the same List-Unsubscribe header. Rotating SECRET_KEY (with the old key in
SECRET_KEY_FALLBACKS for a while) retires old links.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from lerenmetdestad.sealing import Secret
from outbox.enums import OPTIONAL_KINDS

UNSUBSCRIBE_SALT = "outbox.unsubscribe"


class InvalidUnsubscribeTokenError(Exception):
    """The link was changed, cut short, or signed with a key we no longer know."""


def unsubscribe_token_make(*, user_id: int, kind: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": user_id, "k": str(kind)})


def unsubscribe_token_read(*, token: str) -> tuple[int, str]:
    """Return (user id, kind) from a token, or raise InvalidUnsubscribeTokenError."""
    try:
        payload = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as error:
        raise InvalidUnsubscribeTokenError(str(error)) from error
    user_id = payload.get("u") if isinstance(payload, dict) else None
    kind = payload.get("k") if isinstance(payload, dict) else None
    if not isinstance(user_id, int) or kind not in OPTIONAL_KINDS:
        raise InvalidUnsubscribeTokenError("unexpected payload")
    return user_id, kind


def unsubscribe_url(*, user_id: int, kind: str) -> Secret:
    """The absolute link for the mail footer and the List-Unsubscribe header.

    A Secret: it changes someone's mail settings without a login, so it is for them alone.
    """
    token = unsubscribe_token_make(user_id=user_id, kind=kind)
    return Secret(settings.SITE_URL + reverse("outbox:unsubscribe", kwargs={"token": token}))
