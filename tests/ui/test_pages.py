"""The public pages: the home page and the accessibility statement."""

import pytest
from django.urls import reverse

from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_home_names_the_themes(client):
    page = parse(client.get("/").content)

    section = page.find("section", aria_labelledby="themes-title")
    assert [h3.text for h3 in section.find_all("h3")] == [
        "Eenzaamheid",
        "Vergrijzing",
        "Duurzaamheid",
        "Sociale impact van corona",
        "Laaggeletterdheid",
    ]


def test_home_tells_each_group_what_it_can_do_and_where_to_start(client):
    page = parse(client.get("/").content)

    section = page.find("section", aria_labelledby="roles-title")
    assert [h3.text for h3 in section.find_all("h3")] == [
        "Studenten",
        "Organisaties",
        "Onderzoekers en docenten",
    ]
    calls = {a.text: a.attrs["href"] for a in section.find_all("a", class_="button")}
    assert calls == {
        "Meld je aan als student": reverse("account_signup"),
        "Meld je organisatie aan": reverse("account_signup"),
        "Meld je aan als onderzoeker of docent": reverse("account_signup"),
        "Inloggen": reverse("account_login"),
    }


def test_home_for_signed_in_person_leads_to_their_overview(client, student):
    client.force_login(student)

    hero = parse(client.get("/").content).find("section", class_="hero")

    assert [a.text for a in hero.find_all("a")] == ["Naar mijn overzicht"]
    assert hero.find("a").attrs["href"] == reverse("accounts:dashboard")


def test_accessibility_statement_names_standard_status_contact_and_date(client):
    response = client.get(reverse("accessibility"))

    page = parse(response.content)
    assert page.find("h1").text == "Toegankelijkheidsverklaring"
    assert [h2.text for h2 in page.find("main").find_all("h2")] == [
        "Aan welke norm houden we ons?",
        "Hoe ver zijn we?",
        "Werkt er iets niet voor jou?",
        "Over deze verklaring",
    ]
    text = page.find("main").text
    assert "(WCAG) 2.1, niveau A en AA" in text
    assert "EN 301 549" in text
    assert "Status: we zijn nog aan het testen." in text
    date = page.find("time")
    assert (date.attrs["datetime"], date.text) == ("2026-11-27", "27 november 2026")
    assert page.find("main").find("a", href="mailto:info@lerenmetdestad.nl")


def test_accessibility_statement_in_english(client):
    client.post(reverse("set-language"), {"language": "en", "next": "/"})

    page = parse(client.get(reverse("accessibility")).content)

    assert page.find("h1").text == "Accessibility statement"
    assert page.find("time").text == "27 November 2026"
