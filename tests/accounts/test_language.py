import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_language_switch_is_stored_in_profile_for_signed_in_people(client, student):
    client.force_login(student)

    response = client.post(reverse("set-language"), {"language": "en", "next": "/mijn/"})

    assert response.status_code == 302
    assert response.url == "/mijn/"
    student.refresh_from_db()
    assert student.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_profile_language_follows_the_person_to_another_browser(client, django_user_model, student):
    student.language = "en"
    student.save(update_fields=["language"])
    client.force_login(student)

    page = client.get(reverse("accounts:dashboard"))

    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en"' in page.content.decode()


def test_language_switch_refuses_unknown_language_and_foreign_redirects(client, student):
    client.force_login(student)

    response = client.post(
        reverse("set-language"), {"language": "fr", "next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert response.url == "/"
    student.refresh_from_db()
    assert student.language == "nl"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_language_switch_needs_post(client):
    assert client.get(reverse("set-language")).status_code == 405


def test_signup_language_becomes_the_profile_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    client.post(
        reverse("account_signup"),
        {
            "name": "Emma Exchange",
            "email": "emma@example.org",
            "role": "student",
            "password1": "Leiden-Noord-2026!",
            "password2": "Leiden-Noord-2026!",
        },
    )

    assert User.objects.get(email="emma@example.org").language == "en"
