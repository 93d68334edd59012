import re

import pytest
from allauth.account.models import EmailConfirmationHMAC
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from outbox.models import Message
from tests.support.mail import delivered_bodies

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CONFIRM_LINK = re.compile(r"http://testserver/account/e-mail/bevestigen/([-:\w]+)/")
PASSWORD = "Leiden-Noord-2026!"


def expected_subject(language: str) -> str:
    """allauth's subject for this mail in one language, whichever template is in use."""
    with translation.override(language):
        subject = render_to_string("account/email/email_confirmation_signup_subject.txt")
    return "Leren met de Stad: " + " ".join(subject.split())


def sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "name": "Noor Nieuw",
            "role": "student",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_signup_verification_mail_is_one_outbox_row_with_the_confirmation_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = sign_up(client, "noor@student.hsleiden.nl")

    assert response.status_code == 302
    user = User.objects.get(email="noor@student.hsleiden.nl")
    message = Message.objects.get()
    assert (message.to_email, message.recipient, message.kind, message.language) == (
        "noor@student.hsleiden.nl",
        user,
        "account",
        "nl",
    )
    assert message.status == "queued"
    assert message.subject == expected_subject("nl")
    text, html = delivered_bodies(message)
    key = CONFIRM_LINK.search(text).group(1)
    # The link in the mail is one allauth accepts for this address.
    assert EmailConfirmationHMAC.from_key(key).email_address.email == user.email
    # allauth renders only text; the outbox puts it in the HTML layout too.
    assert f'<a href="http://testserver/account/e-mail/bevestigen/{key}/"' in html
    # Stored, the link is sealed: the row holds a placeholder where it goes.
    assert key not in message.body_text + message.body_html + message.sealed_secrets
    assert "/berichten/afmelden/" not in message.body_html
    # Exactly one send task, queued for after the sign-up commits.
    assert len(callbacks) == 1


def test_signup_verification_mail_for_an_english_visitor_is_in_english(client):
    client.cookies["lms_language"] = "en"

    sign_up(client, "emma@student.hsleiden.nl")

    message = Message.objects.get()
    assert (message.language, message.subject) == ("en", expected_subject("en"))
    assert expected_subject("en") != expected_subject("nl")
