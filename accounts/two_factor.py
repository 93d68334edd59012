"""Two factors: who must give a second one, and when a session counts as having given it.

allauth.mfa does the work (the authenticator app's secret, its codes, the recovery codes);
this module holds the two rules of this platform on top of it. Everyone who can enter the
admin (is_staff) has an authenticator app and gave its code in the current session before
any /beheer/ page; for everyone else two factors are a choice.
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from accounts.models import User


def two_factor_required(user: User) -> bool:
    return user.is_authenticated and user.is_staff


def has_authenticator_app(user: User) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def session_passed_two_factor(request: HttpRequest) -> bool:
    """True once this session gave a code from the app or a recovery code.

    allauth records every step of signing in inside the session, tied to the user it
    was for: "mfa" appears after the code at login, after a code given to confirm it is
    you, and after setting up the app with a code (accounts.views.TwoFactorSetupView). A
    session from before the authenticator existed, or one made by force_login, has none.
    """
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def factor_checked_recently(request: HttpRequest) -> bool:
    """A password or code given in this session within allauth's reauthentication window.

    Signing in with a password just now proves as much as typing it again: without this,
    a coordinator who just logged in would be asked for the password a second time before
    setting up the app.
    """
    records = get_authentication_records(request, request.user)
    window = account_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") in {"password", "mfa"} and time.time() - record["at"] < window
        for record in records
    )
