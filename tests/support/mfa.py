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


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def staff_sign_in(client: Client, user, *, password: str = PASSWORD) -> Client:
    """Sign `user` in as a person does: password, then the app's code. Returns the client.

    Gives the user an app first if they have none. allauth accepts each code only once,
    so sign a user in once per test and reuse that client (or its session cookie).
    """
    totp_activate(user)
    login = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert login.status_code == 302, login.content.decode()[:2000]
    assert login["Location"] == reverse("mfa_authenticate")
    answer = client.post(reverse("mfa_authenticate"), {"code": totp_code(user)})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return client
