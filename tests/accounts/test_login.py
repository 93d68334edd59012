import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def log_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_with_right_password_lands_on_dashboard(client, student):
    response = log_in(client, student.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:dashboard")


def test_login_is_throttled_after_five_failures_even_with_the_right_password(client, student):
    for _attempt in range(5):
        response = log_in(client, student.email, "helemaal-verkeerd-wachtwoord")
        assert response.status_code == 200

    response = log_in(client, student.email, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert errors[0] == "Te veel inlogpogingen. Probeer het later nogmaals."


def test_login_throttle_is_per_account(client, student, researcher):
    for _attempt in range(5):
        log_in(client, student.email, "helemaal-verkeerd-wachtwoord")

    response = log_in(client, researcher.email, PASSWORD)

    assert response.status_code == 302


def test_admin_login_goes_through_the_throttled_login(client, coordinator):
    response = client.get("/beheer/login/?next=/beheer/")

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=%2Fbeheer%2F"

    for _attempt in range(5):
        log_in(client, coordinator.email, "helemaal-verkeerd-wachtwoord")
    response = log_in(client, coordinator.email, PASSWORD)
    assert "_auth_user_id" not in client.session


def test_admin_refuses_signed_in_people_who_are_not_staff(client, student):
    client.force_login(student)

    assert client.get("/beheer/login/").status_code == 403
    index = client.get("/beheer/")
    assert index.status_code == 302
    assert index.url.startswith("/beheer/login/")


def test_coordinator_reaches_the_admin(client, coordinator):
    sign_in_for_admin(client, coordinator)

    response = client.get("/beheer/")

    assert response.status_code == 200
    assert "Leren met de Stad" in response.content.decode()


def test_logout_ends_the_session(client, student):
    client.force_login(student)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
