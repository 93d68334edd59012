"""allauth's account views under Dutch paths, with allauth's own URL names.

The interface is Dutch first and the URLs stay Dutch in both languages, so we mount
the views ourselves instead of including allauth.account.urls.
"""

from allauth.account import views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.mfa.totp import views as totp_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.urls import path, re_path

from accounts import views as accounts_views
from lerenmetdestad.sso import SURFCONEXT_PROVIDER_ID

# allauth reverses these with the provider id as an argument; a default that equals it lets
# the paths stay fixed and Dutch. The callback is the redirect URI registered at SURFconext.
_SURFCONEXT = {"provider_id": SURFCONEXT_PROVIDER_ID}

urlpatterns = [
    path("inloggen/", views.login, name="account_login"),
    path("uitloggen/", views.logout, name="account_logout"),
    path("inactief/", views.account_inactive, name="account_inactive"),
    path("aanmelden/", views.signup, name="account_signup"),
    path("bevestig-wie-je-bent/", views.reauthenticate, name="account_reauthenticate"),
    path("e-mail/", views.email, name="account_email"),
    path(
        "e-mail/bevestigen/", views.email_verification_sent, name="account_email_verification_sent"
    ),
    re_path(
        r"^e-mail/bevestigen/(?P<key>[-:\w]+)/$", views.confirm_email, name="account_confirm_email"
    ),
    path("inloggen/code/bevestigen/", views.confirm_login_code, name="account_confirm_login_code"),
    path("wachtwoord/wijzigen/", views.password_change, name="account_change_password"),
    path("wachtwoord/instellen/", views.password_set, name="account_set_password"),
    path("wachtwoord/vergeten/", views.password_reset, name="account_reset_password"),
    path(
        "wachtwoord/vergeten/verstuurd/",
        views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^wachtwoord/nieuw/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "wachtwoord/nieuw/klaar/",
        views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # Two steps (allauth.mfa): an authenticator app's code and recovery codes. Setting up
    # the app and showing the codes are our own pages (accounts/views.py).
    path("twee-stappen/", mfa_views.index, name="mfa_index"),
    path("twee-stappen/inloggen/", mfa_views.authenticate, name="mfa_authenticate"),
    path("twee-stappen/bevestigen/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("twee-stappen/app/instellen/", accounts_views.two_factor_setup, name="mfa_activate_totp"),
    path("twee-stappen/app/uitzetten/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path(
        "twee-stappen/herstelcodes/",
        accounts_views.two_factor_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        "twee-stappen/herstelcodes/nieuw/",
        recovery_code_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    path(
        "twee-stappen/herstelcodes/download/",
        recovery_code_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
    # Signing in with SURFconext (accounts/sso.py); answers 404 while it is not configured.
    path("instelling/inloggen/", oidc_views.login, _SURFCONEXT, name="openid_connect_login"),
    path(
        "instelling/inloggen/terug/",
        oidc_views.callback,
        _SURFCONEXT,
        name="openid_connect_callback",
    ),
    path("instelling/aanmelden/", social_views.signup, name="socialaccount_signup"),
    path(
        "instelling/geannuleerd/",
        social_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("instelling/fout/", social_views.login_error, name="socialaccount_login_error"),
    path("instelling/", social_views.connections, name="socialaccount_connections"),
]
