"""allauth's pages in our layout, in our words."""

import pytest
from django.urls import reverse

from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        (reverse("account_login"), "Inloggen"),
        (reverse("account_signup"), "Aanmelden"),
        (reverse("account_reset_password"), "Wachtwoord vergeten?"),
        (reverse("account_reset_password_done"), "Kijk in je mailbox"),
        (reverse("account_email_verification_sent"), "Kijk in je mailbox"),
        (reverse("account_confirm_email", args=["onbekend"]), "Bevestig je e-mailadres"),
        (
            reverse("account_reset_password_from_key", kwargs={"uidb36": "0", "key": "x-y"}),
            "Deze link werkt niet meer",
        ),
    ],
)
def test_account_page_for_visitor_uses_our_layout(client, path, heading):
    response = client.get(path)

    assert response.status_code == 200
    page = parse(response.content)
    assert page.find("h1").text == heading
    assert page.find("title").text == f"{heading} · Leren met de Stad"
    assert page.find("a", class_="skip-link").attrs["href"] == "#inhoud"


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        (reverse("account_logout"), "Uitloggen"),
        (reverse("account_email"), "E-mailadres"),
        (reverse("account_change_password"), "Wijzig je wachtwoord"),
    ],
)
def test_account_page_for_student_uses_our_layout(client, student, path, heading):
    client.force_login(student)

    page = parse(client.get(path).content)

    assert page.find("h1").text == heading
    assert page.find("nav", class_="site-nav")


def test_account_settings_menu_marks_the_current_page(client, student):
    client.force_login(student)

    page = parse(client.get(reverse("account_change_password")).content)

    menu = page.find("nav", class_="side-nav")
    assert [a.text for a in menu.find_all("a")] == [
        "Mijn overzicht",
        "Profiel",
        "E-mailadres",
        "Wachtwoord",
        "Twee stappen",
    ]
    assert [a.text for a in menu.find_all("a", aria_current="page")] == ["Wachtwoord"]


def test_account_buttons_use_our_button_styles(client):
    page = parse(client.get(reverse("account_login")).content)

    form = page.find("main").find("form")
    button = form.find("button", type="submit")
    assert (button.attrs["class"], button.text) == ("button", "Inloggen")


def test_logged_out_message_is_in_our_words(client, student):
    client.force_login(student)

    response = client.post(reverse("account_logout"), follow=True)

    status = parse(response.content).find("div", role="status")
    assert status.text == "Je bent uitgelogd. Tot de volgende keer."
