import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import ResearcherProfile, StudentProfile, User
from outbox.models import Message
from tests.factories import InstitutionEmailDomainFactory
from tests.support.mail import delivered_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PASSWORD = "Leiden-Noord-2026!"
CONFIRM_LINK = re.compile(r"/account/e-mail/bevestigen/([-:\w]+)/")


def sign_up(client, *, email, role, name="Nieuwe Gebruiker", password=PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"name": name, "email": email, "role": role, "password1": password, "password2": password},
    )


def confirmation_key(email: str) -> str:
    message = Message.objects.get(to_email=email)
    return CONFIRM_LINK.search(delivered_text(message)).group(1)


@pytest.mark.parametrize(
    ("role", "profile_model"),
    [("student", StudentProfile), ("partner", None), ("researcher", ResearcherProfile)],
)
def test_signup_each_role_needs_email_verification_before_login(client, role, profile_model):
    email = f"nieuw-{role}@example.org"

    response = sign_up(client, email=email, role=role)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email=email)
    assert (user.role, user.name, user.is_staff) == (role, "Nieuwe Gebruiker", False)
    assert EmailAddress.objects.get(user=user).verified is False
    assert Message.objects.filter(to_email=email).count() == 1
    if profile_model is None:
        assert not StudentProfile.objects.filter(user=user).exists()
        assert not ResearcherProfile.objects.filter(user=user).exists()
    else:
        assert profile_model.objects.filter(user=user).count() == 1

    # Logging in before the address is confirmed only sends people back to check their mail.
    login = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert login.status_code == 302
    assert login.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    key = confirmation_key(email)
    confirm = client.post(reverse("account_confirm_email", args=[key]))
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True

    client.logout()
    login = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert login.status_code == 302
    assert login.url == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_as_coordinator_is_refused(client):
    response = sign_up(client, email="wil-coordinator@example.org", role="coordinator")

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert User.objects.filter(email="wil-coordinator@example.org").exists() is False


def test_signup_with_short_password_keeps_what_was_typed(client):
    response = sign_up(client, email="kort@example.org", role="student", password="kort-wachtw")

    assert response.status_code == 200
    form = response.context["form"]
    assert "password1" in form.errors
    assert form["email"].value() == "kort@example.org"
    assert form["name"].value() == "Nieuwe Gebruiker"
    assert User.objects.filter(email="kort@example.org").exists() is False


def test_signup_twice_with_the_same_address_creates_one_account(client):
    sign_up(client, email="dubbel@example.org", role="student")
    client.logout()
    sign_up(client, email="DUBBEL@example.org", role="partner")

    assert User.objects.filter(email__iexact="dubbel@example.org").count() == 1


def test_signup_student_gets_institution_proposed_from_email_domain(client):
    domain = InstitutionEmailDomainFactory(
        domain="student.hsleiden.nl", institution__name="Hogeschool Leiden"
    )

    sign_up(client, email="lisa@student.hsleiden.nl", role="student")
    client.post(
        reverse("account_confirm_email", args=[confirmation_key("lisa@student.hsleiden.nl")])
    )
    client.post(
        reverse("account_login"), {"login": "lisa@student.hsleiden.nl", "password": PASSWORD}
    )
    page = client.get(reverse("accounts:profile"))

    profile = StudentProfile.objects.get(user__email="lisa@student.hsleiden.nl")
    assert profile.institution == domain.institution
    assert page.context["profile_form"]["institution"].value() == domain.institution.pk
    assert page.context["proposed_institution"] == domain.institution
    assert "Hogeschool Leiden" in page.content.decode()
