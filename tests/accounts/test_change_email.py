import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from outbox.models import Message
from tests.support.mail import delivered_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CONFIRM_LINK = re.compile(r"/account/e-mail/bevestigen/([-:\w]+)/")


def test_changing_email_takes_effect_after_the_new_address_is_confirmed(client, student):
    old_email = student.email
    client.force_login(student)

    response = client.post(
        reverse("account_email"), {"email": "sanne.nieuw@example.org", "action_add": ""}
    )

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.email == old_email
    message = Message.objects.get(to_email="sanne.nieuw@example.org")
    key = CONFIRM_LINK.search(delivered_text(message)).group(1)

    client.post(reverse("account_confirm_email", args=[key]))

    student.refresh_from_db()
    assert student.email == "sanne.nieuw@example.org"
    assert list(EmailAddress.objects.filter(user=student).values_list("email", "verified")) == [
        ("sanne.nieuw@example.org", True)
    ]


def test_changing_email_to_an_address_in_use_changes_nothing_and_reveals_nothing(
    client, student, researcher
):
    client.force_login(student)

    response = client.post(reverse("account_email"), {"email": researcher.email, "action_add": ""})

    # allauth answers as if it worked, so nobody can probe which addresses have accounts;
    # the claim stays unverified and confirming it cannot take the address over.
    assert response.status_code == 302
    claims = EmailAddress.objects.filter(email=researcher.email).order_by("verified")
    assert list(claims.values_list("user", "verified")) == [
        (student.pk, False),
        (researcher.pk, True),
    ]
    message = Message.objects.get(to_email=researcher.email)
    key = CONFIRM_LINK.search(delivered_text(message)).group(1)

    client.post(reverse("account_confirm_email", args=[key]))

    student.refresh_from_db()
    assert student.email == "sanne@student.hsleiden.nl"
    assert EmailAddress.objects.get(user=researcher, email=researcher.email).verified is True
    assert EmailAddress.objects.filter(email=researcher.email, verified=True).count() == 1
