"""Issue #17, point 1: a live secret in a mail is readable by its addressee and nobody else.

The attack: a coordinator asks for a password reset of a superuser, reads the link in the
outbox (/beheer/outbox/message/...), sets a password and logs in as the superuser. These
tests run that attack through the real allauth form, the real send path, the admin pages
and the logs, and prove the link reaches only the superuser's mailbox.
"""

import io
import logging
import re
from email.message import EmailMessage

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from outbox.models import Message
from outbox.sealed import bodies_seal, bodies_unseal
from outbox.services import MessageDeferredError, message_send
from tests.factories import UserFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

RESET_LINK = re.compile(r"http://testserver/account/wachtwoord/nieuw/([0-9A-Za-z]+)-([^/\s]+)/")
NEW_PASSWORD = "Overgenomen-Leiden-2026!"
HIDDEN_NL = "[verborgen: alleen voor de ontvanger]"


@pytest.fixture
def superuser(db):
    return UserFactory(
        email="beheer@lerenmetdestad.nl", name="Bea Beheer", is_staff=True, is_superuser=True
    )


def request_reset(email: str) -> Message:
    """The coordinator fills in allauth's "forgot password" form with someone else's address."""
    response = Client().post(reverse("account_reset_password"), {"email": email})
    assert (response.status_code, response.url) == (302, reverse("account_reset_password_done"))
    return Message.objects.get(to_email=email, resend_of=None)


def plain_part(sent: EmailMessage) -> str:
    return sent.get_body(("plain",)).get_content()


def reset_link_parts(text: str) -> tuple[str, str, str]:
    """(the link, "uid-key" as in the path, the key alone) from a delivered mail."""
    found = RESET_LINK.search(text)
    assert found is not None, text
    return found.group(0), f"{found.group(1)}-{found.group(2)}", found.group(2)


def outbox_table_cells() -> list[str]:
    """Every value in every column of every outbox_message row, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM outbox_message")
        return [str(value) for row in cursor.fetchall() for value in row]


def leaks(haystacks: list[str], secrets: tuple[str, ...]) -> list[str]:
    return [secret for secret in secrets if any(secret in haystack for haystack in haystacks)]


def admin_pages(client: Client, message: Message) -> dict[str, str]:
    base = f"/beheer/outbox/message/{message.pk}/"
    pages = {}
    for name, url in [
        ("changelist", "/beheer/outbox/message/"),
        ("search", "/beheer/outbox/message/?q=wachtwoord"),
        ("change", f"{base}change/"),
        ("history", f"{base}history/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    return pages


def set_password_with(link: str) -> None:
    """The superuser follows the link in their mail and chooses a password."""
    browser = Client()
    form_page = browser.get(link.removeprefix("http://testserver"), follow=True)
    assert form_page.status_code == 200
    form_url = form_page.redirect_chain[-1][0]
    assert form_url.endswith("-set-password/")
    done = browser.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert (done.status_code, done.url) == (302, reverse("account_reset_password_from_key_done"))


def logs_in(email: str, password: str) -> bool:
    response = Client().post(reverse("account_login"), {"login": email, "password": password})
    return response.status_code == 302 and response.url == reverse("accounts:dashboard")


def test_reset_link_for_a_superuser_asked_by_a_coordinator_reaches_only_the_superuser(
    coordinator, superuser, smtp_mailer, caplog
):
    caplog.set_level(logging.DEBUG)
    # The mail server is busy at the first attempt: the retry must still carry the link.
    smtp_mailer.refuse_next("451 4.3.0 Mailbox busy, try again later")

    message = request_reset(superuser.email)
    with pytest.raises(MessageDeferredError):
        message_send(message_id=message.pk)
    message_send(message_id=message.pk)

    (delivered,) = smtp_mailer.wait_for(1, timeout=5)
    text = plain_part(delivered)
    link, uid_and_key, key = reset_link_parts(text)
    html = delivered.get_body(("html",)).get_content()
    secrets = (link, uid_and_key, key)
    # (d) The superuser got the whole link, in both parts, after one failed attempt.
    assert (delivered["To"], link in text, f'href="{link}"' in html) == (
        "beheer@lerenmetdestad.nl",
        True,
        True,
    )
    row = Message.objects.get(pk=message.pk)
    assert (row.status, row.attempts) == ("sent", 2)

    # (a) No column of any outbox row holds the link or the key.
    assert leaks(outbox_table_cells(), secrets) == []
    # The stored text says where the link went, and that it is hidden.
    assert row.body_text.count("[secret:") == 1

    # (b) Every admin page about the message, as the coordinator sees it and as another
    # superuser sees it (who may see everything), shows the marker and no part of the link.
    # Not the target itself: signing in changes last_login, which retires the link.
    coordinator_browser = Client()
    sign_in_for_admin(coordinator_browser, coordinator)
    superuser_browser = Client()
    sign_in_for_admin(superuser_browser, UserFactory(is_staff=True, is_superuser=True))
    for browser in (coordinator_browser, superuser_browser):
        pages = admin_pages(browser, row)
        assert leaks(list(pages.values()), secrets) == []
        # Once in the plain text; twice in the HTML part, as the link's address and its text.
        assert pages["change"].count(HIDDEN_NL) == 3
        assert "sealed" not in pages["change"].lower()

    # (c) Nothing logged during the whole flow holds the key. "mail.log" is the test's
    # own SMTP server, which stands for the recipient's mail server and reads the mail.
    ours = [record for record in caplog.records if record.name != "mail.log"]
    assert len(ours) > 0
    logged = [caplog.handler.format(record) for record in ours]
    assert leaks(logged, secrets) == []

    # (d) The link works for whoever has the mail: the superuser sets a new password.
    set_password_with(link)
    assert logs_in(superuser.email, NEW_PASSWORD)
    assert leaks(outbox_table_cells(), secrets) == []


def test_resent_reset_mail_still_carries_a_working_link(coordinator, superuser, mailoutbox):
    message = request_reset(superuser.email)
    message_send(message_id=message.pk)
    first_link = reset_link_parts(mailoutbox[0].body)[0]
    coordinator_browser = Client()
    sign_in_for_admin(coordinator_browser, coordinator)

    coordinator_browser.post(
        "/beheer/outbox/message/", {"action": "resend", "_selected_action": [message.pk]}
    )
    copy = Message.objects.get(resend_of=message)
    message_send(message_id=copy.pk)

    assert [sent.to for sent in mailoutbox] == [[superuser.email], [superuser.email]]
    link, uid_and_key, key = reset_link_parts(mailoutbox[1].body)
    assert link == first_link
    assert leaks(outbox_table_cells(), (link, uid_and_key, key)) == []
    assert copy.sealed_secrets == message.sealed_secrets
    set_password_with(link)
    assert logs_in(superuser.email, NEW_PASSWORD)


def test_rotated_keys_still_open_old_mail_and_the_command_moves_it_to_the_new_key(
    superuser, settings, mailoutbox
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SEALING_KEYS = [old]
    message = request_reset(superuser.email)
    sealed_with_old = Message.objects.get(pk=message.pk).sealed_secrets

    # Step 2 of README.md: the new key in front. What the old one sealed still opens.
    settings.SEALING_KEYS = [new, old]
    call_command("sealing_rotate", stdout=(output := io.StringIO()))
    # Step 4: the old key dropped. The rotated row still sends a working link.
    settings.SEALING_KEYS = [new]
    message_send(message_id=message.pk)

    assert output.getvalue() == "sealing_rotate: 1 values sealed with the first key\n"
    assert Message.objects.get(pk=message.pk).sealed_secrets != sealed_with_old
    link = reset_link_parts(mailoutbox[0].body)[0]
    set_password_with(link)
    assert logs_in(superuser.email, NEW_PASSWORD)


def test_mail_sealed_with_a_dropped_key_fails_for_good_without_showing_the_link(
    superuser, settings, mailoutbox
):
    settings.SEALING_KEYS = [Fernet.generate_key().decode()]
    message = request_reset(superuser.email)
    # The old key dropped without running sealing_rotate first.
    settings.SEALING_KEYS = [Fernet.generate_key().decode()]

    result = message_send(message_id=message.pk)

    assert mailoutbox == []
    assert (result.status, result.attempts, result.last_error) == (
        "failed",
        1,
        "UnsealError: None of SEALING_KEYS opens this value.",
    )


def test_rotation_command_names_values_no_key_opens(superuser, settings):
    settings.SEALING_KEYS = [Fernet.generate_key().decode()]
    message = request_reset(superuser.email)
    settings.SEALING_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError) as error:
        call_command("sealing_rotate", stdout=io.StringIO())

    assert str(error.value) == (
        f"1 values open with none of SEALING_KEYS: outbox.Message.sealed_secrets #{message.pk}"
    )


@pytest.mark.unit
def test_sealing_replaces_every_form_of_a_secret_and_putting_back_restores_the_mail():
    link = "https://lerenmetdestad.nl/uitnodiging/a'b&c:d/"
    text = f"Klik: {link}\nTyped by a user: [secret:0123456789abcdef:0]"
    html = f'<a href="{escape(link)}">{escape(link)}</a> a\'b&c'

    sealed = bodies_seal(body_text=text, body_html=html, secrets=[link, "a'b&c"])

    assert "a'b" not in sealed.body_text + sealed.body_html
    assert "a&#x27;b" not in sealed.body_html
    assert "[secret:0123456789abcdef:0]" in sealed.body_text
    assert bodies_unseal(
        body_text=sealed.body_text,
        body_html=sealed.body_html,
        sealed_secrets=sealed.sealed_secrets,
    ) == (text, html)


@pytest.mark.unit
def test_a_mail_without_secrets_is_stored_as_it_is():
    sealed = bodies_seal(body_text="Hallo", body_html="<p>Hallo</p>", secrets=["niet-erin"])

    assert (sealed.body_text, sealed.body_html, sealed.sealed_secrets) == (
        "Hallo",
        "<p>Hallo</p>",
        "",
    )
