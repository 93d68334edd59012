"""Our own error pages: plain Dutch, English when chosen, with a way onward."""

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_unknown_page_answers_404_with_our_page(client):
    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    page = parse(response.content)
    assert page.find("h1").text == "We kunnen deze pagina niet vinden"
    assert page.find("title").text == "Pagina niet gevonden · Leren met de Stad"
    assert page.find("main").find("a", href="/").text == "Naar de startpagina"


def test_unknown_page_in_english_when_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    assert parse(response.content).find("h1").text == "We cannot find this page"


def test_admin_refuses_a_student_with_our_403_page(client, student):
    client.force_login(student)

    response = client.get("/beheer/login/")

    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "Je kunt deze pagina niet openen"
    assert [p.text for p in page.find("main").find_all("p")][:2] == [
        "Foutcode 403",
        "Met jouw account heb je geen toegang tot deze pagina.",
    ]


def test_bad_host_answers_400_with_our_page(client):
    response = client.get("/", HTTP_HOST="niet-onze-site.example")

    assert response.status_code == 400
    assert parse(response.content).find("h1").text == "Er ging iets mis met je verzoek"


def test_form_without_csrf_token_shows_our_csrf_page():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("set-language"), {"language": "en", "next": "/"})

    assert response.status_code == 403
    page = parse(response.content)
    assert page.find("h1").text == "Dit formulier is verlopen"
    assert [li.text for li in page.find("ol", class_="steps").find_all("li")] == [
        "Ga terug naar de vorige pagina.",
        "Laad die pagina opnieuw.",
        "Vul het formulier opnieuw in en verstuur het.",
    ]


@pytest.mark.unit
def test_500_template_renders_without_request_or_context():
    with translation.override("nl"):
        html = get_template("500.html").render()

    page = parse(html)
    assert page.find("html").attrs["lang"] == "nl"
    assert page.find("h1").text == "Er ging bij ons iets mis"
    assert page.find("link", rel="stylesheet").attrs["href"] == "/static/css/main.css"
    assert page.find("main").find("a", class_="button").attrs["href"] == "/"


@pytest.mark.urls("tests.ui.urls_broken")
def test_failing_view_shows_our_500_page_in_the_chosen_language():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/kapot/")

    assert response.status_code == 500
    page = parse(response.content)
    assert page.find("html").attrs["lang"] == "en"
    assert page.find("h1").text == "Something went wrong on our side"
