import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from outbox.enums import OPTIONAL_KINDS, MessageKind
from outbox.models import Message, OptOut
from outbox.services import message_queue, message_send
from outbox.tokens import (
    UNSUBSCRIBE_SALT,
    InvalidUnsubscribeTokenError,
    unsubscribe_token_make,
    unsubscribe_token_read,
    unsubscribe_url,
)
from tests.factories import UserFactory

LEGEND = re.compile(r"<legend[^>]*>([^<]+?)\s*(?:<|$)")
LABELLED = re.compile(
    r'<label for="id_receive_\d+"><input type="checkbox" name="receive" value="([a-z_]+)"'
    r"[^>]*>\s*([^<]+?)\s*</label>"
)
CHECKED = re.compile(r'<input type="checkbox" name="receive" value="([a-z_]+)"[^>]*\bchecked\b')


@pytest.fixture
def emma(db):
    """A person who reads the site in English, so these tests read our own msgids."""
    return UserFactory(name="Emma", email="emma@example.org", language="en")


def unsubscribe_path(user, kind=MessageKind.REMINDERS) -> str:
    return reverse("outbox:unsubscribe", args=[unsubscribe_token_make(user_id=user.pk, kind=kind)])


# --- The token --------------------------------------------------------------------------


@pytest.mark.unit
def test_unsubscribe_token_round_trip_gives_user_and_kind():
    token = unsubscribe_token_make(user_id=42, kind=MessageKind.REMINDERS)

    assert unsubscribe_token_read(token=token) == (42, "reminders")
    # Deterministic, so every retry of a mail carries the same link.
    assert token == unsubscribe_token_make(user_id=42, kind=MessageKind.REMINDERS)


@pytest.mark.unit
@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        unsubscribe_token_make(user_id=42, kind="reminders")[:-2] + "xx",
        unsubscribe_token_make(user_id=42, kind="reminders").replace("e", "f", 1),
        # Right payload, wrong purpose: signed with another salt.
        signing.Signer(salt="another.purpose").sign_object({"u": 42, "k": "reminders"}),
        # Validly signed but for a kind nobody may switch off.
        signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": 42, "k": "account"}),
        signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": "42", "k": "reminders"}),
        signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([42, "reminders"]),
    ],
)
def test_unsubscribe_token_tampered_or_foreign_is_refused(token):
    with pytest.raises(InvalidUnsubscribeTokenError):
        unsubscribe_token_read(token=token)


# --- The unsubscribe page ---------------------------------------------------------------


@pytest.mark.integration
def test_unsubscribe_get_asks_to_confirm_and_changes_nothing(client, emma):
    response = client.get(unsubscribe_path(emma))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Stop these emails?</h1>" in page
    assert (
        "You will no longer get emails about: "
        "<strong>Reminders before deadlines, starts and events</strong>."
    ) in page
    assert '<button type="submit" class="button">Yes, stop these emails</button>' in page
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "no-store" in response.headers["Cache-Control"]
    assert OptOut.objects.count() == 0


@pytest.mark.integration
def test_unsubscribe_post_from_the_page_switches_the_kind_off(emma):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(unsubscribe_path(emma))

    assert response.status_code == 200
    assert "<h1>Done</h1>" in response.content.decode()
    assert list(OptOut.objects.values_list("user", "kind")) == [(emma.pk, "reminders")]


@pytest.mark.integration
def test_unsubscribe_one_click_post_without_csrf_token_switches_the_kind_off(emma):
    # What a mail program sends for RFC 8058: no cookies, no CSRF token.
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        unsubscribe_path(emma, MessageKind.PROJECT_UPDATES),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert list(OptOut.objects.values_list("kind", flat=True)) == ["project_updates"]


@pytest.mark.integration
def test_unsubscribe_twice_keeps_one_opt_out(client, emma):
    client.post(unsubscribe_path(emma))
    response = client.post(unsubscribe_path(emma))

    assert response.status_code == 200
    assert OptOut.objects.filter(user=emma).count() == 1


@pytest.mark.integration
@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_tampered_token_shows_a_clear_message_and_changes_nothing(method, emma):
    token = unsubscribe_token_make(user_id=emma.pk, kind="reminders")
    other = UserFactory()
    # Someone swaps in another person's id but keeps the signature.
    forged = signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"u": other.pk, "k": "reminders"})
    forged = forged.split(":")[0] + ":" + token.split(":")[1]
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["lms_language"] = "en"  # an anonymous visitor who chose English

    for bad in (token[:-3], forged, "hallo"):
        response = getattr(browser, method)(reverse("outbox:unsubscribe", args=[bad]))
        assert response.status_code == 400
        page = response.content.decode()
        assert "<h1>This link does not work</h1>" in page
        assert "Nothing has been changed in your emails." in page
    assert OptOut.objects.count() == 0


@pytest.mark.integration
def test_unsubscribe_token_of_a_removed_person_shows_a_clear_message(client, emma):
    path = unsubscribe_path(emma)
    emma.delete()
    client.cookies["lms_language"] = "en"

    response = client.post(path)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


@pytest.mark.integration
def test_unsubscribe_page_speaks_the_recipients_language(client, db):
    dutch = UserFactory(language="nl")

    response = client.get(unsubscribe_path(dutch), headers={"cookie": "lms_language=en"})

    assert response.headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()


@pytest.mark.integration
def test_unsubscribe_link_in_a_sent_mail_stops_that_kind(
    emma, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://lerenmetdestad.example"
    message = message_queue(
        to_email=emma.email,
        kind=MessageKind.EVENT_UPDATES,
        subject="Je rooster",
        body_text="Hier is je rooster.",
        language="en",
        user=emma,
    )
    message_send(message_id=message.pk)
    header = mailoutbox[0].message()["List-Unsubscribe"]
    link = header.removeprefix("<https://lerenmetdestad.example").removesuffix(">")

    response = Client(enforce_csrf_checks=True).post(
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        again = message_queue(
            to_email=emma.email,
            kind=MessageKind.EVENT_UPDATES,
            subject="Nog een rooster",
            body_text="Nog een.",
            language="en",
            user=emma,
        )
    assert again is None
    assert callbacks == []
    assert list(Message.objects.values_list("subject", flat=True)) == ["Je rooster"]


@pytest.mark.integration
def test_unsubscribe_url_is_absolute_on_site_url(settings, emma):
    settings.SITE_URL = "https://lerenmetdestad.example"

    url = unsubscribe_url(user_id=emma.pk, kind="reminders")

    assert url == "https://lerenmetdestad.example" + unsubscribe_path(emma)


# --- The preferences page ---------------------------------------------------------------

PREFERENCES = "/berichten/instellingen/"


@pytest.mark.integration
def test_preferences_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(PREFERENCES)

    assert response.status_code == 302
    assert response.url == "/account/inloggen/?next=/berichten/instellingen/"


@pytest.mark.integration
def test_preferences_every_optional_kind_is_ticked_by_default(client, emma):
    client.force_login(emma)

    response = client.get(PREFERENCES)

    assert response.status_code == 200
    page = response.content.decode()
    assert CHECKED.findall(page) == [kind.value for kind in OPTIONAL_KINDS]
    assert LEGEND.findall(page) == ["Emails you want to get"]
    # Every checkbox sits inside its own label.
    with translation.override("en"):
        labels = [(kind.value, escape(str(kind.label))) for kind in OPTIONAL_KINDS]
    assert LABELLED.findall(page) == labels
    # Account mail is listed as always on, not offered as a checkbox.
    assert 'value="account"' not in page
    assert "<li>Your account (sign-up, password, email address)</li>" in page


@pytest.mark.integration
def test_preferences_unticked_kinds_are_switched_off_and_back_on(client, emma):
    client.force_login(emma)
    keep = [k.value for k in OPTIONAL_KINDS if k not in {"reminders", "new_projects_digest"}]

    response = client.post(PREFERENCES, {"receive": keep})

    assert response.status_code == 302
    assert response.url == PREFERENCES
    assert set(OptOut.objects.filter(user=emma).values_list("kind", flat=True)) == {
        "reminders",
        "new_projects_digest",
    }
    page = client.get(PREFERENCES).content.decode()
    assert CHECKED.findall(page) == keep
    assert "Saved. From now on you only get the emails you ticked." in page

    client.post(PREFERENCES, {"receive": [k.value for k in OPTIONAL_KINDS]})

    assert OptOut.objects.filter(user=emma).count() == 0


@pytest.mark.integration
def test_preferences_unknown_kind_shows_the_error_at_the_field(client, emma):
    client.force_login(emma)

    response = client.post(PREFERENCES, {"receive": ["reminders", "account"]})

    assert response.status_code == 200
    page = response.content.decode()
    # The error sits in the field's group, which points to it for screen readers.
    assert re.search(r'<fieldset[^>]*aria-describedby="[^"]*\bid_receive_error\b', page)
    assert re.search(
        r'id="id_receive_error">.*Select a valid choice\. account is not one of the available',
        page,
    )
    assert OptOut.objects.count() == 0


@pytest.mark.integration
def test_preferences_only_change_the_signed_in_persons_choices(client, emma):
    other = UserFactory()
    client.force_login(emma)

    client.post(PREFERENCES, {"receive": []})

    assert OptOut.objects.filter(user=emma).count() == len(OPTIONAL_KINDS)
    assert OptOut.objects.filter(user=other).count() == 0
