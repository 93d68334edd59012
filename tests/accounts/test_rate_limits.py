"""Sign-in limits: strict for one address, generous for one network, and a clear page when hit.

A whole class signs in from one school network within the same minute; guessing one
person's password is what the limits are there to stop.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.integration

LOGIN = reverse("account_login")
SCHOOL_NETWORK = "145.107.1.20"


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=SCHOOL_NETWORK)


def test_a_class_of_forty_signs_in_from_one_network_within_a_minute(db):
    students = [UserFactory(email=f"leerling{n}@mboleiden.nl") for n in range(40)]

    answers = [sign_in(Client(), student.email).status_code for student in students]

    assert answers == [302] * 40


def test_a_class_with_typos_is_not_locked_out_by_one_guessed_address(db):
    students = [UserFactory(email=f"leerling{n}@mboleiden.nl") for n in range(20)]
    guessed = UserFactory(email="doelwit@mboleiden.nl")
    for _ in range(6):
        sign_in(Client(), guessed.email, "geraden")

    # Each of the class types one wrong password first, then the right one.
    answers = []
    for student in students:
        browser = Client()
        sign_in(browser, student.email, "tikfout")
        answers.append(sign_in(browser, student.email).status_code)
    locked = sign_in(Client(), guessed.email)

    assert answers == [302] * 20
    assert locked.status_code == 200
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_too_many_requests_get_a_page_in_dutch_in_the_sites_layout(db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    person = UserFactory(email="iemand@example.org")
    for _ in range(2):
        sign_in(Client(), person.email)

    response = sign_in(Client(), person.email)

    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Te veel pogingen in korte tijd</h1>" in html
    assert "Wacht een paar minuten en probeer het dan opnieuw." in html
    # The site's own layout, with its footer and the way back.
    assert "Leren met de Stad, Leiden" in html
