"""Signing in with SURFconext: who someone is at their institution, and what we keep of it.

allauth's OpenID Connect provider does the protocol (lerenmetdestad/sso.py configures it);
this module decides what the answer means for the platform:

- the role follows `eduperson_affiliation`, the institution `schac_home_organization`;
- an address counts as verified when SURFconext says so, or when it lies in the domain of
  the very institution that signed the person in (its `schac_home_organization`): an
  institution vouches for its own addresses, and SURFconext's published claims carry no
  `email_verified`;
- an existing account is linked only when that address is verified and the account here
  verified it too, so an account someone opened with another person's address is never
  taken over;
- a first sign-in asks for the name others will see, as our own sign-up does, and confirms
  the address by mail unless SURFconext vouches for it;
- of the claims, only affiliation and home organisation are kept, as the reason for the
  role and institution the account got. The subject is the linked account's uid; the
  address lives where every address lives; tokens are never stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.utils import user_email
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from allauth.socialaccount.forms import SignupForm
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.enums import Role
from accounts.models import Institution, User
from accounts.selectors import institution_for_email, institution_for_home_organisation
from accounts.services import profile_ensure

AFFILIATION = "eduperson_affiliation"
HOME_ORGANISATION = "schac_home_organization"

# eduPerson affiliations that say what someone does at the institution. Academic staff
# ("faculty") teach or do research even when they also study; someone who studies and also
# works there ("employee", "staff") is most often a student assistant. "member",
# "affiliate", "alum" and "library-walk-in" say nothing about either, and give no role.
_RESEARCHER_FIRST = frozenset({"faculty"})
_STUDENT = frozenset({"student"})
_RESEARCHER = frozenset({"employee", "staff"})


def role_for_affiliations(affiliations: Iterable[str]) -> Role | None:
    values = {value.strip().lower() for value in affiliations}
    if values & _RESEARCHER_FIRST:
        return Role.RESEARCHER
    if values & _STUDENT:
        return Role.STUDENT
    if values & _RESEARCHER:
        return Role.RESEARCHER
    return None


@dataclass(frozen=True)
class InstitutionClaims:
    """The two claims besides subject and address that the platform uses."""

    affiliations: tuple[str, ...]
    home_organisation: str

    @classmethod
    def from_extra_data(cls, data: dict[str, Any]) -> "InstitutionClaims":
        """Read the claims from allauth's extra data, as received or as we keep them.

        allauth hands over {"userinfo": ..., "id_token": ...}; SURFconext puts the claims
        in the userinfo answer. What we keep (`as_extra_data`) is the claims themselves.
        """
        claims = data.get("userinfo") or data.get("id_token") or data
        raw = claims.get(AFFILIATION) or []
        if isinstance(raw, str):
            raw = [raw]
        affiliations = tuple(
            sorted({str(value).strip().lower() for value in raw if str(value).strip()})
        )
        home = claims.get(HOME_ORGANISATION) or ""
        return cls(
            affiliations=affiliations,
            home_organisation=home.strip().lower() if isinstance(home, str) else "",
        )

    def as_extra_data(self) -> dict[str, Any]:
        return {AFFILIATION: list(self.affiliations), HOME_ORGANISATION: self.home_organisation}

    @property
    def role(self) -> Role | None:
        return role_for_affiliations(self.affiliations)

    def institution(self) -> Institution | None:
        return institution_for_home_organisation(self.home_organisation)


class Refusal:
    """Why a first sign-in through the institution cannot make an account."""

    NO_ROLE = "no-role"
    NO_EMAIL = "no-email"
    EMAIL_TAKEN = "email-taken"


def refusal_response(
    request: HttpRequest, reason: str, claims: InstitutionClaims | None = None
) -> HttpResponse:
    return render(
        request,
        "socialaccount/refused.html",
        {"reason": reason, "affiliations": claims.affiliations if claims else ()},
        status=403,
    )


class InstitutionAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest | None, provider=None, client_id=None) -> list:
        """The apps in settings, never rows in the database.

        SURFconext is configured by the environment only (and allauth's admin for apps is
        switched off), so a stray row cannot switch on a provider; it also spares every
        page with the button a query. allauth's own helper builds the apps from settings.
        """
        apps = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for provider_apps in apps.values() for app in provider_apps]

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data):
        """Set the role from the affiliation and keep only the claims we use.

        Runs when allauth builds the login from the provider's answer, before anything is
        stored: what is set here is all that reaches the database or the session.
        """
        user = super().populate_user(request, sociallogin, data)
        claims = InstitutionClaims.from_extra_data(sociallogin.account.extra_data)
        sociallogin.account.extra_data = claims.as_extra_data()
        # allauth has extracted the addresses by now; linking and sign-up read this. Only an
        # address SURFconext did not vouch for costs the institution lookups.
        unverified = [address for address in sociallogin.email_addresses if not address.verified]
        home = claims.institution() if unverified else None
        for address in unverified if home is not None else ():
            address.verified = institution_for_email(address.email) == home
        if claims.role is not None:
            # Used only for a new account: an existing one, once found, keeps its own role.
            user.role = claims.role
        return user

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[User, str] | None:
        """The existing account to link to: both sides must have verified the address.

        allauth's own rule links to an account whose address was never confirmed (and
        wipes its password); that would hand an account opened with someone else's
        address to whoever signs in with it, or the other way round.
        """
        for address in sociallogin.email_addresses:
            if not address.verified:
                continue
            local = (
                EmailAddress.objects.filter(email__iexact=address.email, verified=True)
                .select_related("user")
                .first()
            )
            if local is not None:
                return local.user, address.email
        return None

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse a first sign-in that cannot become an account, before anything is saved.

        Raises ImmediateHttpResponse with a page that says why: the affiliation gives no
        role, SURFconext sent no address, or an account with the address exists that may
        not be linked.
        """
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            # A returning person, an account linked by verified address, or someone signed
            # in who links their institution account: no account is made.
            return
        claims = InstitutionClaims.from_extra_data(sociallogin.account.extra_data)
        if claims.role is None:
            raise ImmediateHttpResponse(refusal_response(request, Refusal.NO_ROLE, claims))
        email = user_email(sociallogin.user)
        if not email:
            raise ImmediateHttpResponse(refusal_response(request, Refusal.NO_EMAIL))
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise ImmediateHttpResponse(refusal_response(request, Refusal.EMAIL_TAKEN))
        # The access token has done its work (the claims are read); the pending sign-up
        # that waits in the session for the name does not need it.
        sociallogin.token = None


class InstitutionSignupForm(SignupForm):
    """The first sign-in's one question: the name others will see.

    The address is the one SURFconext sent and the role follows the affiliation, so
    neither is asked; the password is not needed (one can be set later).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("email", None)
        self.fields.pop("role", None)

    def clean(self) -> dict:
        cleaned = super().clean()
        # Someone may have taken the address since the sign-in began; allauth's check
        # refuses it, or (preventing enumeration) mails its owner instead of saving.
        cleaned["email"] = self.validate_unique_email(user_email(self.sociallogin.user))
        return cleaned

    def signup(self, request: HttpRequest, user: User) -> None:
        claims = InstitutionClaims.from_extra_data(self.sociallogin.account.extra_data)
        profile_ensure(user=user, institution=claims.institution())
