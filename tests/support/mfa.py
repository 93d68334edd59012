"""Two steps in tests: a real authenticator app and real codes, through the real sign-in.

Everyone who can enter /beheer/ must have given a code from their app in the session
(accounts.middleware.AdminTwoFactorMiddleware), so a test that opens the admin signs its
coordinator in with `staff_sign_in`, and a browser journey types the code that
`totp_code` computes, as a person reads it from their phone.
"""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def totp_activate(user) -> Authenticator:
    """Give the user an authenticator app and recovery codes, as set-up does."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing:
        return existing
    authenticator = TOTP.activate(user, generate_totp_secret()).instance
    RecoveryCodes.activate(user)
    return authenticator


def totp_secret(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def secret_code(secret: str, *, at: float | None = None) -> str:
    """The code an app holding `secret` shows at `at` (now by default)."""
    counter = int(at if at is not None else time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def totp_code(user, *, at: float | None = None) -> str:
    """The code the user's app shows now, read from the stored, encrypted secret."""
    return secret_code(totp_secret(user), at=at)


# The codes handed out per user and secret, and when: allauth takes each code once within a
# period, so a second sign-in of the same person needs another code.
_handed_out: dict[tuple[int, str], dict[str, float]] = {}


def unused_totp_code(user) -> str:
    """A code the app shows now or shows next, that this suite has not typed yet.

    allauth accepts each code once, as it should. A person who signs in twice within 30
    seconds types the code the app shows next, which the server's tolerance of one step
    accepts; only a third sign-in in one period waits for the app, as a person would.
    """
    secret = totp_secret(user)
    period = mfa_settings.TOTP_PERIOD
    while True:
        now = time.time()
        used = _handed_out.setdefault((user.pk, secret), {})
        for code, typed_at in list(used.items()):
            if now - typed_at > period + 1:
                del used[code]
        for at in (now, now + period):
            code = secret_code(secret, at=at)
            if code not in used:
                used[code] = now
                return code
        time.sleep(1)


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def staff_sign_in(client: Client, user, *, password: str = PASSWORD) -> Client:
    """Sign `user` in as a person does: password, then the app's code. Returns the client.

    Gives the user an app first if they have none. allauth accepts each code only once:
    signing the same user in again within 30 seconds waits for the next code, so sign a
    user in once per test and reuse that client where the test allows.
    """
    totp_activate(user)
    # A person switching accounts logs out first; allauth sends a signed-in visitor of
    # the login page onwards instead of logging them in again.
    client.logout()
    login = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert login.status_code == 302, login.content.decode()[:2000]
    assert login["Location"] == reverse("mfa_authenticate")
    answer = client.post(reverse("mfa_authenticate"), {"code": unused_totp_code(user)})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    # The page after login shows (and so uses up) the welcome message, as in a browser,
    # so that a test reading the admin's messages gets only the admin's.
    client.get(answer["Location"])
    return client


def sign_in_for_admin(client: Client, user) -> Client:
    """Sign in a person who is about to open /beheer/.

    Staff go through the real two steps (`staff_sign_in`); anyone else is simply signed
    in, since the admin turns them away before any second step would matter.
    """
    if user.is_staff:
        return staff_sign_in(client, user)
    client.force_login(user)
    return client
