"""Two steps before the admin (#17, point 3), and by choice for everyone else."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from tests import factories
from tests.factories import PASSWORD
from tests.support.mfa import (
    recovery_codes,
    secret_code,
    staff_sign_in,
    totp_activate,
    totp_code,
    unused_totp_code,
)
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

WRONG_CODE_NL = "Deze code klopt niet. Kijk in de app en probeer het opnieuw."


def admin_urls() -> list[str]:
    """The admin's index and the list page of every model it shows."""
    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    return [reverse("admin:index"), *sorted(changelists)]


def with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def log_in_with_password(client: Client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def code_errors(response) -> list[str]:
    """The errors shown under the code field."""
    return [str(error) for error in response.context["form"].errors["code"]]


def a_wrong_code(user) -> str:
    right = totp_code(user)
    return "000000" if right != "000000" else "111111"


@pytest.fixture
def superuser(db):
    return factories.UserFactory(
        name="Saskia Superuser", email="saskia@lerenmetdestad.nl", is_staff=True, is_superuser=True
    )


@pytest.mark.parametrize("person", ["coordinator", "superuser"])
def test_staff_without_an_app_are_sent_to_set_up_from_every_admin_page(client, person, request):
    user = request.getfixturevalue(person)
    log_in_with_password(client, user)
    urls = admin_urls()
    assert len(urls) > 10

    answers = {url: client.get(url) for url in urls}

    assert {url: (a.status_code, a["Location"]) for url, a in answers.items()} == {
        url: (302, with_next("mfa_activate_totp", url)) for url in urls
    }


def test_staff_set_up_the_app_and_land_where_they_were_going(client, coordinator):
    log_in_with_password(client, coordinator)
    target = reverse("admin:partners_challenge_changelist")
    setup_url = client.get(target)["Location"]

    page = client.get(setup_url)
    secret = parse(page.content).find("code", id="totp-secret").text
    done = client.post(setup_url, {"code": secret_code(secret)})

    assert done.status_code == 302
    assert done["Location"] == with_next("mfa_view_recovery_codes", target)
    codes_page = parse(client.get(done["Location"]).content)
    shown = [li.text for li in codes_page.find("ul", class_="recovery-codes").find_all("li")]
    assert shown == recovery_codes(coordinator)
    assert len(shown) == 10
    continue_link = codes_page.find("a", class_="button")
    assert continue_link.text == "Ik heb de codes bewaard, ga verder"
    assert continue_link.attrs["href"] == target
    assert client.get(target).status_code == 200
    assert list(
        Authenticator.objects.filter(user=coordinator)
        .values_list("type", flat=True)
        .order_by("type")
    ) == [Authenticator.Type.RECOVERY_CODES, Authenticator.Type.TOTP]


def test_set_up_page_speaks_plain_dutch(client, coordinator):
    log_in_with_password(client, coordinator)

    page = parse(client.get(client.get("/beheer/")["Location"]).content)

    assert page.find("h1").text == "Inloggen in twee stappen"
    assert page.find("p", class_="lead").text == (
        "In de beheerpagina's staan gegevens van studenten en partners. Daarom log je daar in "
        "met twee stappen: je wachtwoord en een code uit een app op je telefoon."
    )
    assert [h.text for h in page.find("ol", class_="steps").find_all("h2")] == [
        "Zet een app voor codes op je telefoon",
        "Scan deze QR-code met de app",
        "Typ de code uit de app",
    ]
    assert page.find("img", class_="qr-code").attrs["alt"] == "QR-code voor je app"
    assert page.find("label").text == "Code uit de app"
    assert page.find("main").find("button", type="submit").text == "Twee stappen aanzetten"


def test_set_up_page_in_english_for_who_chose_english(client, coordinator):
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    log_in_with_password(client, coordinator)

    page = parse(client.get(client.get("/beheer/")["Location"]).content)

    assert page.find("h1").text == "Log in with two steps"
    assert page.find("main").find("button", type="submit").text == "Switch on two steps"


def test_set_up_with_a_wrong_code_says_so_in_dutch_and_adds_no_app(client, coordinator):
    log_in_with_password(client, coordinator)
    setup_url = client.get("/beheer/")["Location"]
    client.get(setup_url)

    answer = client.post(setup_url, {"code": "000000"})

    assert answer.status_code == 200
    assert code_errors(answer) == [WRONG_CODE_NL]
    assert Authenticator.objects.filter(user=coordinator).count() == 0
    assert client.get("/beheer/")["Location"] == with_next("mfa_activate_totp", "/beheer/")


def test_staff_whose_session_gave_no_code_are_asked_for_one(client, coordinator):
    totp_activate(coordinator)
    client.force_login(coordinator)
    target = reverse("admin:partners_challenge_changelist")

    asked = client.get(target)

    assert asked.status_code == 302
    assert asked["Location"] == with_next("mfa_reauthenticate", target)
    page = parse(client.get(asked["Location"]).content)
    assert page.find("h1").text == "Laat zien dat jij het bent"
    answer = client.post(
        reverse("mfa_reauthenticate"), {"code": unused_totp_code(coordinator), "next": target}
    )
    assert answer.status_code == 302
    assert answer["Location"] == target
    assert client.get(target).status_code == 200


def test_a_session_from_before_the_app_existed_is_asked_for_a_code(client, coordinator):
    log_in_with_password(client, coordinator)
    totp_activate(coordinator)

    assert client.get("/beheer/")["Location"] == with_next("mfa_reauthenticate", "/beheer/")


def test_a_wrong_code_says_so_in_dutch_and_does_not_open_the_admin(client, coordinator):
    totp_activate(coordinator)
    client.force_login(coordinator)

    answer = client.post(
        reverse("mfa_reauthenticate"), {"code": a_wrong_code(coordinator), "next": "/beheer/"}
    )

    assert answer.status_code == 200
    assert code_errors(answer) == [WRONG_CODE_NL]
    shown = parse(answer.content).find("ul", id="id_code_error").text
    assert shown == f"Fout: {WRONG_CODE_NL}"
    assert client.get("/beheer/")["Location"] == with_next("mfa_reauthenticate", "/beheer/")


@pytest.mark.parametrize(("steps", "opens"), [(-1, True), (1, True), (-3, False), (3, False)])
def test_a_code_one_step_off_still_works_and_an_older_or_later_one_does_not(
    client, coordinator, steps, opens
):
    """One step of drift either way (MFA_TOTP_TOLERANCE), no more."""
    totp_activate(coordinator)
    log_in_with_password(client, coordinator)
    at = time.time() + steps * 30
    if abs(steps) == 1 and 30 - time.time() % 30 < 2:
        # A code one step back may run out while it travels; so would a person's.
        at += 30

    answer = client.post(reverse("mfa_authenticate"), {"code": totp_code(coordinator, at=at)})

    assert ("_auth_user_id" in client.session, answer.status_code) == (
        (True, 302) if opens else (False, 200)
    )


def test_a_wrong_code_at_login_leaves_the_person_signed_out(client, coordinator):
    totp_activate(coordinator)
    log_in_with_password(client, coordinator)

    answer = client.post(reverse("mfa_authenticate"), {"code": a_wrong_code(coordinator)})

    assert answer.status_code == 200
    assert code_errors(answer) == [WRONG_CODE_NL]
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once_and_only_once(coordinator):
    totp_activate(coordinator)
    code = recovery_codes(coordinator)[0]
    first, second = Client(), Client()

    log_in_with_password(first, coordinator)
    used = first.post(reverse("mfa_authenticate"), {"code": code})
    log_in_with_password(second, coordinator)
    reused = second.post(reverse("mfa_authenticate"), {"code": code})

    assert used.status_code == 302
    assert first.get("/beheer/").status_code == 200
    assert reused.status_code == 200
    assert code_errors(reused) == [WRONG_CODE_NL]
    assert "_auth_user_id" not in second.session
    assert code not in recovery_codes(coordinator)
    assert len(recovery_codes(coordinator)) == 9


def test_the_admin_login_goes_through_allauth_and_both_steps(client, coordinator):
    totp_activate(coordinator)

    to_login = client.get("/beheer/")
    assert to_login["Location"] == "/beheer/login/?next=/beheer/"
    to_allauth = client.get(to_login["Location"])
    assert to_allauth["Location"] == with_next("account_login", "/beheer/")
    password = client.post(
        to_allauth["Location"],
        {"login": coordinator.email, "password": PASSWORD, "next": "/beheer/"},
    )
    assert password["Location"] == reverse("mfa_authenticate")
    step_two = parse(client.get(password["Location"]).content)
    assert step_two.find("h1").text == "Inloggen: stap 2"
    code = client.post(reverse("mfa_authenticate"), {"code": unused_totp_code(coordinator)})
    assert code["Location"] == "/beheer/"
    assert client.get("/beheer/").status_code == 200


def test_staff_sign_in_opens_the_admin(client, coordinator):
    staff_sign_in(client, coordinator)

    assert client.get("/beheer/").status_code == 200


def test_a_student_without_two_steps_logs_in_with_the_password_alone(client, student):
    answer = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})

    assert answer["Location"] == reverse("accounts:dashboard")


def test_a_student_can_switch_on_two_steps_and_then_gives_a_code_at_login(client, student):
    log_in_with_password(client, student)
    dashboard = parse(client.get(reverse("accounts:dashboard")).content)
    link = dashboard.find("a", href=reverse("mfa_index"))
    assert link.text == "Inloggen in twee stappen"

    setup_url = reverse("mfa_activate_totp")
    page = parse(client.get(setup_url).content)
    assert page.find("p", class_="lead").text == (
        "Met twee stappen kan niemand inloggen met alleen je wachtwoord. "
        "Er is ook een code nodig uit een app op je telefoon."
    )
    secret = page.find("code", id="totp-secret").text
    done = client.post(setup_url, {"code": secret_code(secret)})
    assert done["Location"] == reverse("mfa_view_recovery_codes")
    client.post(reverse("account_logout"))

    password = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert password["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    code = client.post(reverse("mfa_authenticate"), {"code": unused_totp_code(student)})
    assert code["Location"] == reverse("accounts:dashboard")
    assert client.session["_auth_user_id"] == str(student.pk)
