"""Signing in with SURFconext, against a real OpenID provider that the tests start.

The provider is oidc-provider-mock (authlib on a werkzeug server in a thread, on localhost).
Each test drives the whole flow: our login view redirects to the provider's authorization
endpoint; the person fills in the provider's form; the provider redirects to our callback;
allauth exchanges the code for tokens and reads the userinfo over HTTP against the provider;
our adapter decides what the answer means. Like SURFconext, the provider releases claims
outside the standard scopes (affiliation, home organisation) at the userinfo endpoint
without a scope of their own.
"""

import logging
from urllib.parse import parse_qs, quote, urlsplit

import oidc_provider_mock
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.urls import reverse

from accounts.enums import InstitutionKind, Role
from accounts.models import ResearcherProfile, StudentProfile, User
from accounts.selectors import institution_for_home_organisation
from accounts.sso import role_for_affiliations
from lerenmetdestad.sso import SURFCONEXT_PROVIDER_ID, surfconext_providers
from outbox.models import Message
from tests.factories import (
    PASSWORD,
    InstitutionEmailDomainFactory,
    InstitutionFactory,
    ResearcherFactory,
    UserFactory,
)
from tests.ui.html import parse

CLIENT_ID = "lerenmetdestad-test"
LOGIN = reverse("openid_connect_login", kwargs={"provider_id": SURFCONEXT_PROVIDER_ID})
CALLBACK = reverse("openid_connect_callback", kwargs={"provider_id": SURFCONEXT_PROVIDER_ID})
SIGNUP = reverse("socialaccount_signup")
TIMEOUT = 10


@pytest.fixture(scope="module")
def provider_url():
    # werkzeug logs every request at INFO; the tests read the answers instead.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # A confidential client that keeps no refresh token, as the platform uses it.
    with oidc_provider_mock.run_server_in_thread(issue_refresh_token=False) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def surfconext(settings, provider_url):
    """SURFconext switched on, pointing at the provider the tests started."""
    settings.SOCIALACCOUNT_PROVIDERS = surfconext_providers(
        client_id=CLIENT_ID, secret="test-secret", server_url=provider_url
    )
    return provider_url


@pytest.fixture
def hogeschool(db):
    return InstitutionEmailDomainFactory(
        domain="hsleiden.nl",
        institution__name="Hogeschool Leiden",
        institution__kind=InstitutionKind.HBO,
    ).institution


def person_at_provider(provider_url: str, sub: str, **claims) -> None:
    """What the institution says about someone: the provider's user with these claims."""
    response = requests.put(
        f"{provider_url}/users/{quote(sub, safe='')}", json=claims, timeout=TIMEOUT
    )
    assert response.status_code == 204


def student_claims(email="lisa@mail.example.org", **extra) -> dict:
    return {
        "email": email,
        "email_verified": True,
        "eduperson_affiliation": ["student", "member"],
        "schac_home_organization": "hsleiden.nl",
    } | extra


def start_login(client, process: str = "login") -> str:
    """Press the button on our login page; return the provider's authorization URL."""
    response = client.post(f"{LOGIN}?process={process}")
    assert response.status_code == 302
    return response.url


def log_in_at_provider(client, sub: str, *, action: str = "authorize", process: str = "login"):
    """The whole round trip for the person with this subject; return our callback's answer."""
    authorize_url = start_login(client, process)
    form = requests.get(authorize_url, timeout=TIMEOUT)
    assert form.status_code == 200
    assert 'name="sub"' in form.text
    data = {"sub": sub} if action == "authorize" else {"action": "deny"}
    answer = requests.post(authorize_url, data=data, allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert back.path == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def signed_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


# --- First sign-in: a new account with role and institution ---------------------------


@pytest.mark.integration
def test_sso_first_login_of_a_student_creates_a_student_of_their_institution(
    client, surfconext, hogeschool
):
    person_at_provider(surfconext, "pseudo-student-1", **student_claims())

    callback = log_in_at_provider(client, "pseudo-student-1")

    assert (callback.status_code, callback.url) == (302, SIGNUP)
    form_page = client.get(SIGNUP)
    page = parse(form_page.content)
    assert [field.attrs["name"] for field in page.find("main").find("form").find_all("input")] == [
        "csrfmiddlewaretoken",
        "name",
    ]
    assert "lisa@mail.example.org" in page.find("main").text
    assert User.objects.count() == 0

    done = client.post(SIGNUP, {"name": "Lisa de Vries"})

    assert (done.status_code, done.url) == (302, reverse("accounts:dashboard"))
    user = User.objects.get()
    assert (user.email, user.name, user.role, user.is_staff, user.has_usable_password()) == (
        "lisa@mail.example.org",
        "Lisa de Vries",
        Role.STUDENT,
        False,
        False,
    )
    profile = StudentProfile.objects.get(user=user)
    assert (profile.institution, profile.level) == (hogeschool, InstitutionKind.HBO)
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("lisa@mail.example.org", True)
    ]
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (SURFCONEXT_PROVIDER_ID, "pseudo-student-1")
    # Only what the role and institution came from; no address, no ID token, no tokens.
    assert account.extra_data == {
        "eduperson_affiliation": ["member", "student"],
        "schac_home_organization": "hsleiden.nl",
    }
    assert SocialToken.objects.count() == 0
    assert signed_in_user_id(client) == user.pk


@pytest.mark.integration
def test_sso_first_login_of_an_employee_creates_a_researcher(client, surfconext, db):
    # The university registered only its students' mail domain; the home organisation is
    # the domain above it.
    university = InstitutionEmailDomainFactory(
        domain="umail.leidenuniv.nl",
        institution__name="Universiteit Leiden",
        institution__kind=InstitutionKind.WO,
    ).institution
    person_at_provider(
        surfconext,
        "pseudo-employee-1",
        email="r.bakker@fsw.leidenuniv.nl",
        email_verified=True,
        eduperson_affiliation=["employee", "member"],
        schac_home_organization="leidenuniv.nl",
    )

    log_in_at_provider(client, "pseudo-employee-1")
    client.post(SIGNUP, {"name": "Roos Bakker"})

    user = User.objects.get(email="r.bakker@fsw.leidenuniv.nl")
    assert (user.role, user.name) == (Role.RESEARCHER, "Roos Bakker")
    assert ResearcherProfile.objects.get(user=user).institution == university
    assert StudentProfile.objects.filter(user=user).exists() is False
    assert signed_in_user_id(client) == user.pk


@pytest.mark.integration
def test_sso_first_login_with_an_address_the_provider_did_not_verify_sends_a_confirmation(
    client, surfconext, hogeschool
):
    # SURFconext's published claims have no email_verified: then our own confirmation mail
    # proves the address, as at our own sign-up.
    claims = student_claims()
    del claims["email_verified"]
    person_at_provider(surfconext, "pseudo-student-2", **claims)

    log_in_at_provider(client, "pseudo-student-2")
    done = client.post(SIGNUP, {"name": "Lisa de Vries"})

    assert (done.status_code, done.url) == (302, reverse("account_email_verification_sent"))
    user = User.objects.get(email="lisa@mail.example.org")
    assert EmailAddress.objects.get(user=user).verified is False
    assert Message.objects.filter(to_email="lisa@mail.example.org").count() == 1
    assert signed_in_user_id(client) is None


@pytest.mark.integration
def test_sso_first_login_with_an_address_of_the_home_organisation_needs_no_confirmation(
    client, surfconext, hogeschool
):
    claims = student_claims(email="lisa@hsleiden.nl")
    del claims["email_verified"]
    person_at_provider(surfconext, "pseudo-student-4", **claims)

    log_in_at_provider(client, "pseudo-student-4")
    done = client.post(SIGNUP, {"name": "Lisa de Vries"})

    user = User.objects.get(email="lisa@hsleiden.nl")
    assert (done.status_code, signed_in_user_id(client)) == (302, user.pk)
    assert EmailAddress.objects.get(user=user).verified is True
    assert Message.objects.filter(to_email="lisa@hsleiden.nl").count() == 0


@pytest.mark.integration
def test_sso_signup_form_without_a_name_creates_nobody(client, surfconext, hogeschool):
    person_at_provider(surfconext, "pseudo-student-3", **student_claims())
    log_in_at_provider(client, "pseudo-student-3")

    response = client.post(SIGNUP, {"name": "  "})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["name"]
    assert (User.objects.count(), SocialAccount.objects.count()) == (0, 0)


@pytest.mark.integration
def test_sso_returning_person_is_signed_in_without_questions(client, surfconext, hogeschool):
    person_at_provider(surfconext, "pseudo-student-4", **student_claims())
    log_in_at_provider(client, "pseudo-student-4")
    client.post(SIGNUP, {"name": "Lisa de Vries"})
    user = User.objects.get()
    client.logout()

    again = log_in_at_provider(client, "pseudo-student-4")

    assert (again.status_code, again.url) == (302, reverse("accounts:dashboard"))
    assert signed_in_user_id(client) == user.pk
    assert (User.objects.count(), SocialAccount.objects.count()) == (1, 1)
    assert SocialAccount.objects.get().extra_data == {
        "eduperson_affiliation": ["member", "student"],
        "schac_home_organization": "hsleiden.nl",
    }


# --- Existing accounts: linked only when both sides verified the address ------------------


@pytest.mark.integration
def test_sso_login_links_an_existing_verified_account(client, surfconext, db):
    existing = ResearcherFactory(name="Rachid Onderzoeker", email="rachid@leidenuniv.nl")
    person_at_provider(
        surfconext,
        "pseudo-rachid",
        email="Rachid@leidenuniv.nl",
        email_verified=True,
        eduperson_affiliation=["faculty", "employee"],
        schac_home_organization="leidenuniv.nl",
    )

    callback = log_in_at_provider(client, "pseudo-rachid")

    assert (callback.status_code, callback.url) == (302, reverse("accounts:dashboard"))
    assert signed_in_user_id(client) == existing.pk
    assert User.objects.count() == 1
    account = SocialAccount.objects.get()
    assert (account.user_id, account.uid) == (existing.pk, "pseudo-rachid")
    existing.refresh_from_db()
    # The account is theirs as it was: name, role and password stay.
    assert (existing.name, existing.role, existing.check_password(PASSWORD)) == (
        "Rachid Onderzoeker",
        Role.RESEARCHER,
        True,
    )


@pytest.mark.integration
def test_sso_login_does_not_take_over_an_unverified_account(client, surfconext, hogeschool):
    # Someone opened an account with Lisa's address and never confirmed it.
    squatter = UserFactory(email="lisa@mail.example.org", name="Niet Lisa", verified=False)
    EmailAddress.objects.create(
        user=squatter, email="lisa@mail.example.org", primary=True, verified=False
    )
    person_at_provider(surfconext, "pseudo-lisa", **student_claims())

    response = log_in_at_provider(client, "pseudo-lisa")

    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "Je hebt al een account met dit e-mailadres"
    assert signed_in_user_id(client) is None
    assert (User.objects.count(), SocialAccount.objects.count()) == (1, 0)
    squatter.refresh_from_db()
    assert (squatter.name, squatter.check_password(PASSWORD)) == ("Niet Lisa", True)
    assert EmailAddress.objects.get(user=squatter).verified is False


@pytest.fixture
def universiteit(db):
    return InstitutionEmailDomainFactory(
        domain="leidenuniv.nl",
        institution__name="Universiteit Leiden",
        institution__kind=InstitutionKind.WO,
    ).institution


@pytest.mark.integration
def test_sso_login_links_by_an_address_in_the_home_organisations_own_domain(
    client, surfconext, universiteit
):
    # As SURFconext does: no email_verified claim. The university that signed Rachid in
    # vouches for an address in its own domain.
    existing = ResearcherFactory(email="rachid@leidenuniv.nl")
    person_at_provider(
        surfconext,
        "pseudo-vouched",
        email="rachid@leidenuniv.nl",
        eduperson_affiliation=["employee"],
        schac_home_organization="leidenuniv.nl",
    )

    callback = log_in_at_provider(client, "pseudo-vouched")

    assert (callback.status_code, callback.url) == (302, reverse("accounts:dashboard"))
    assert signed_in_user_id(client) == existing.pk
    assert SocialAccount.objects.get().user_id == existing.pk


@pytest.mark.integration
def test_sso_login_with_an_address_the_provider_did_not_verify_links_nothing(
    client, surfconext, universiteit, hogeschool
):
    # The address lies in another institution's domain: the university that signed this
    # person in cannot vouch for it, and SURFconext did not say it is verified.
    existing = ResearcherFactory(email="rachid@hsleiden.nl")
    person_at_provider(
        surfconext,
        "pseudo-unverified",
        email="rachid@hsleiden.nl",
        eduperson_affiliation=["employee"],
        schac_home_organization="leidenuniv.nl",
    )

    response = log_in_at_provider(client, "pseudo-unverified")

    assert response.status_code == 403
    assert signed_in_user_id(client) is None
    assert (User.objects.get().pk, SocialAccount.objects.count()) == (existing.pk, 0)


@pytest.mark.integration
def test_sso_signed_in_person_links_their_institution_from_their_account(client, surfconext, db):
    # The way on for who was told an account with their address exists: log in, then link.
    person = ResearcherFactory(email="rachid@leidenuniv.nl")
    person_at_provider(
        surfconext,
        "pseudo-linker",
        email="r.onderzoeker@leidenuniv.nl",
        eduperson_affiliation=["employee"],
        schac_home_organization="leidenuniv.nl",
    )
    client.force_login(person)
    page = parse(client.get(reverse("socialaccount_connections")).content)
    assert page.find("main").find("form").attrs["action"] == f"{LOGIN}?process=connect"

    callback = log_in_at_provider(client, "pseudo-linker", process="connect")

    assert (callback.status_code, callback.url) == (302, reverse("socialaccount_connections"))
    account = SocialAccount.objects.get()
    assert (account.user_id, account.uid) == (person.pk, "pseudo-linker")
    assert User.objects.count() == 1
    assert signed_in_user_id(client) == person.pk


# --- No role, no account ---------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(
    ("affiliation", "shown"),
    [(["affiliate"], "Wat je instelling ons vertelde: affiliate."), (None, None)],
    ids=["affiliate", "missing"],
)
def test_sso_first_login_without_a_role_shows_a_clear_page_and_creates_nobody(
    client, surfconext, hogeschool, affiliation, shown
):
    claims = student_claims(eduperson_affiliation=affiliation)
    if affiliation is None:
        del claims["eduperson_affiliation"]
    person_at_provider(surfconext, "pseudo-guest", **claims)

    response = log_in_at_provider(client, "pseudo-guest")

    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "We kunnen niet zien of je er studeert of werkt"
    paragraphs = [p.text for p in page.find("main").find_all("p")]
    assert (shown in paragraphs) if shown else not any("vertelde" in p for p in paragraphs)
    assert (User.objects.count(), SocialAccount.objects.count()) == (0, 0)
    assert signed_in_user_id(client) is None
    # Nothing waits in the session for a sign-up form either.
    assert client.get(SIGNUP).url == reverse("account_login")


@pytest.mark.integration
def test_sso_page_without_a_role_speaks_english_to_who_chose_it(client, surfconext, hogeschool):
    client.cookies["lms_language"] = "en"
    person_at_provider(
        surfconext, "pseudo-guest-en", **student_claims(eduperson_affiliation=["affiliate"])
    )

    response = log_in_at_provider(client, "pseudo-guest-en")

    assert parse(response.content).find("h1").text == ("We cannot tell if you study or work there")


@pytest.mark.integration
def test_sso_cancelled_at_the_provider_shows_the_cancelled_page(client, surfconext, db):
    response = log_in_at_provider(client, "nobody", action="deny")

    assert (response.status_code, response.url) == (
        302,
        reverse("socialaccount_login_cancelled"),
    )
    page = parse(client.get(response.url).content)
    assert page.find("h1").text == "Je bent niet ingelogd"
    assert User.objects.count() == 0


# --- The request and the button ----------------------------------------------------------


@pytest.mark.integration
def test_sso_scopes_requested_are_exactly_openid_and_email(client, surfconext, db):
    authorize = urlsplit(start_login(client))
    query = parse_qs(authorize.query)

    assert f"{authorize.scheme}://{authorize.netloc}" == surfconext
    assert sorted(query["scope"][0].split()) == ["email", "openid"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert (query["response_type"], query["code_challenge_method"]) == (["code"], ["S256"])


@pytest.mark.integration
def test_login_page_shows_the_institution_button_when_surfconext_is_on(client, surfconext, db):
    page = parse(client.get(reverse("account_login")).content)

    forms = page.find("main").find_all("form")
    assert [form.attrs["action"] for form in forms] == [
        f"{LOGIN}?process=login",
        reverse("account_login"),
    ]
    assert forms[0].find("button").text == "Inloggen met je instelling (SURFconext)"
    # Partners keep logging in with email and password.
    assert {field.attrs["name"] for field in forms[1].find_all("input")} >= {"login", "password"}


@pytest.mark.integration
def test_login_page_has_no_institution_button_when_surfconext_is_off(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {}

    page = parse(client.get(reverse("account_login")).content)

    assert [form.attrs["action"] for form in page.find("main").find_all("form")] == [
        reverse("account_login")
    ]
    assert "SURFconext" not in page.find("main").text
    assert client.post(LOGIN).status_code == 404


@pytest.mark.integration
def test_login_page_ignores_an_openid_app_stored_in_the_database(client, settings, db):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id=SURFCONEXT_PROVIDER_ID,
        name="Elders",
        client_id="x",
        settings={"server_url": "https://elders.example.org"},
    )

    page = parse(client.get(reverse("account_login")).content)

    assert "Elders" not in page.find("main").text
    assert client.post(LOGIN).status_code == 404


@pytest.mark.integration
def test_login_page_in_english_names_the_institution_button(client, surfconext, db):
    client.cookies["lms_language"] = "en"

    page = parse(client.get(reverse("account_login")).content)

    assert page.find("main").find("form").find("button").text == (
        "Log in with your institution (SURFconext)"
    )


# --- Linked accounts on the account pages --------------------------------------------------


@pytest.mark.integration
def test_institution_page_lets_a_person_with_a_password_unlink(client, surfconext, db):
    person = ResearcherFactory(email="rachid@leidenuniv.nl")
    account = SocialAccount.objects.create(
        user=person, provider=SURFCONEXT_PROVIDER_ID, uid="pseudo-rachid"
    )
    client.force_login(person)

    page = parse(client.get(reverse("socialaccount_connections")).content)
    response = client.post(reverse("socialaccount_connections"), {"account": account.pk})

    assert page.find("label", for_=f"account-{account.pk}").text.startswith("SURFconext")
    assert response.status_code == 302
    assert SocialAccount.objects.filter(user=person).count() == 0


# --- The rules on their own ----------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("affiliations", "role"),
    [
        (["student"], Role.STUDENT),
        (["student", "member"], Role.STUDENT),
        (["employee"], Role.RESEARCHER),
        (["Staff", "member"], Role.RESEARCHER),
        (["faculty", "student"], Role.RESEARCHER),
        (["student", "employee"], Role.STUDENT),
        (["member"], None),
        (["affiliate", "alum", "library-walk-in"], None),
        ([], None),
    ],
)
def test_role_for_affiliations_follows_what_someone_does_there(affiliations, role):
    assert role_for_affiliations(affiliations) == role


@pytest.mark.integration
def test_institution_for_home_organisation_matches_own_parent_and_single_child_domains(db):
    hogeschool = InstitutionEmailDomainFactory(domain="hsleiden.nl").institution
    university = InstitutionEmailDomainFactory(domain="umail.leidenuniv.nl").institution
    shared = InstitutionFactory()
    InstitutionEmailDomainFactory(domain="a.samen.nl", institution=shared)
    InstitutionEmailDomainFactory(domain="b.samen.nl")

    assert [
        institution_for_home_organisation(domain)
        for domain in ["HSleiden.nl", "student.hsleiden.nl", "leidenuniv.nl", "samen.nl", ""]
    ] == [hogeschool, hogeschool, university, None, None]
