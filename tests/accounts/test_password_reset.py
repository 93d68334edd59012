import re

import pytest
from django.urls import reverse

from outbox.models import Message
from tests.support.mail import delivered_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

RESET_LINK = re.compile(r"/account/wachtwoord/nieuw/([0-9A-Za-z]+-[^/\s]+)/")
NEW_PASSWORD = "Nieuw-wachtwoord-Leiden-2026"


def test_password_reset_mail_goes_through_the_outbox_and_sets_a_new_password(client, student):
    response = client.post(reverse("account_reset_password"), {"email": student.email})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    message = Message.objects.get(to_email=student.email)
    assert (message.kind, message.language, message.status) == ("account", "nl", "queued")
    token = RESET_LINK.search(delivered_text(message)).group(1)

    # allauth moves the key into the session and redirects to a key-less URL.
    form_page = client.get(f"/account/wachtwoord/nieuw/{token}/", follow=True)
    assert form_page.status_code == 200
    uid = token.split("-")[0]
    form_url = f"/account/wachtwoord/nieuw/{uid}-set-password/"
    assert form_page.redirect_chain == [(form_url, 302)]
    set_password = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert set_password.status_code == 302
    assert set_password.url == reverse("account_reset_password_from_key_done")

    client.logout()
    login = client.post(
        reverse("account_login"), {"login": student.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    assert login.url == reverse("accounts:dashboard")


def test_password_reset_mail_is_in_the_recipients_language(client, student):
    student.language = "en"
    student.save(update_fields=["language"])

    client.post(reverse("account_reset_password"), {"email": student.email})

    message = Message.objects.get(to_email=student.email)
    assert message.language == "en"
    assert message.subject == "Leren met de Stad: Password Reset Email"


def test_password_reset_for_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "onbekend@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
