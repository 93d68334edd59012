"""The shared layout: language, skip link, header per role, messages, footer."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _nav_items(page) -> list[str]:
    nav = page.find("nav", class_="site-nav")
    return [li.text for li in nav.find_all("li")]


def test_home_is_dutch_by_default_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    page = parse(response.content)
    assert page.find("html").attrs["lang"] == "nl"
    assert page.find("h1").text == "Samen aan de slag met vragen uit de stad"
    assert response.headers["Content-Language"] == "nl"


def test_language_switch_to_english_sets_cookie_and_keeps_the_path(client):
    switch = client.post(reverse("set-language"), {"language": "en", "next": "/"})

    assert switch.status_code == 302
    assert switch.url == "/"
    assert switch.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = parse(client.get("/").content)
    assert page.find("html").attrs["lang"] == "en"
    assert page.find("h1").text == "Working together on the city's questions"
    # Paths stay Dutch in both languages.
    assert page.find("a", href="/account/inloggen/").text == "Log in"


def test_language_switch_is_a_plain_post_form_with_the_current_path(client):
    page = parse(client.get("/toegankelijkheid/?van=voet").content)

    form = page.find("form", class_="lang-switch")
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == reverse("set-language")
    assert form.find("input", name="next").attrs["value"] == "/toegankelijkheid/?van=voet"
    button = form.find("button", name="language")
    assert (button.attrs["type"], button.attrs["value"], button.attrs["lang"]) == (
        "submit",
        "en",
        "en",
    )
    assert button.text == "English"


def test_language_switch_in_english_offers_dutch(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = parse(client.get("/").content)

    button = page.find("form", class_="lang-switch").find("button")
    assert (button.attrs["value"], button.attrs["lang"], button.text) == ("nl", "nl", "Nederlands")


def test_skip_link_is_the_first_link_and_targets_main(client):
    page = parse(client.get("/").content)

    first_link = page.find("body").find_all("a")[0]
    assert first_link.text == "Naar de inhoud"
    assert first_link.attrs["href"] == "#inhoud"
    assert page.find("main").attrs["id"] == "inhoud"


def test_layout_has_one_of_each_landmark(client):
    page = parse(client.get("/").content)

    landmarks = [el.tag for el in page.iter() if el.tag in {"header", "main", "footer"}]
    assert landmarks == ["header", "main", "footer"]
    assert page.find("nav", class_="site-nav").attrs["aria-label"] == "Hoofdmenu"


def test_layout_links_a_print_stylesheet(client):
    page = parse(client.get("/").content)

    print_css = page.find("link", media="print")
    assert print_css.attrs["href"] == "/static/css/print.css"


def test_header_for_anonymous_visitor_offers_login_and_signup(client):
    page = parse(client.get("/").content)

    assert _nav_items(page) == ["Projecten", "Kennis", "Meet & Match", "Inloggen", "Aanmelden"]
    assert page.find("nav", class_="site-nav").find("a", class_="site-nav__cta").attrs[
        "href"
    ] == reverse("account_signup")


def test_header_for_student_offers_their_pages_and_logout(client, student):
    client.force_login(student)

    page = parse(client.get("/").content)

    assert _nav_items(page) == [
        "Projecten",
        "Kennis",
        "Meet & Match",
        "Mijn overzicht",
        "Mijn projecten",
        "Profiel",
        "Berichten",
        "Uitloggen",
    ]
    logout = page.find("nav", class_="site-nav").find("form")
    assert (logout.attrs["method"], logout.attrs["action"]) == ("post", reverse("account_logout"))


def test_header_for_partner_member_has_no_admin_link(client, partner_member):
    client.force_login(partner_member)

    page = parse(client.get("/").content)

    assert "Beheer" not in _nav_items(page)


def test_header_for_coordinator_adds_admin_link(client, coordinator):
    client.force_login(coordinator)

    page = parse(client.get("/").content)

    assert _nav_items(page) == [
        "Projecten",
        "Kennis",
        "Meet & Match",
        "Mijn overzicht",
        "Profiel",
        "Berichten",
        "Beheer",
        "Uitloggen",
    ]
    assert page.find("a", href=reverse("admin:index")).text == "Beheer"


def test_header_for_partner_member_links_their_organisation(client, partner_member):
    client.force_login(partner_member)

    page = parse(client.get("/").content)

    assert _nav_items(page) == [
        "Projecten",
        "Kennis",
        "Meet & Match",
        "Mijn overzicht",
        "Mijn organisatie",
        "Profiel",
        "Berichten",
        "Uitloggen",
    ]
    assert page.find("a", href=reverse("partners:my-organisations")).text == "Mijn organisatie"


def test_header_marks_the_current_page(client, student):
    client.force_login(student)

    page = parse(client.get(reverse("accounts:profile")).content)

    current = page.find("nav", class_="site-nav").find_all("a", aria_current="page")
    assert [a.text for a in current] == ["Profiel"]


def test_login_message_is_a_status_message(client, student):
    response = client.post(
        reverse("account_login"), {"login": student.email, "password": PASSWORD}, follow=True
    )

    messages = parse(response.content).find("div", class_="messages")
    status = messages.find("div", role="status")
    assert status.text == "Welkom, Sanne Student. Je bent ingelogd."


def test_footer_links_accessibility_statement_and_names_the_city(client):
    footer = parse(client.get("/").content).find("footer")

    assert footer.find("a", href=reverse("accessibility")).text == "Toegankelijkheidsverklaring"
    assert footer.find("p", class_="site-footer__name").text == "Leren met de Stad, Leiden"
    assert footer.find("a", href="mailto:info@lerenmetdestad.nl").text == "info@lerenmetdestad.nl"
