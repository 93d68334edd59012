import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import demo_password
from accounts.models import Institution, StudentProfile, User
from partners.enums import ChallengeState
from partners.models import Challenge, Neighbourhood, Organisation, Theme

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def seed(settings, *, debug: bool) -> str:
    settings.DEBUG = debug
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_loads_leiden_data_and_is_idempotent(settings):
    first = seed(settings, debug=False)
    counts = (
        Theme.objects.count(),
        Neighbourhood.objects.count(),
        Institution.objects.count(),
        User.objects.count(),
    )
    second = seed(settings, debug=False)

    assert first.splitlines()[0] == (
        "seed_demo: 7 themes, 16 neighbourhoods, 5 institutions, 13 organisations, "
        "30 challenges, 6 projects, 2 events added"
    )
    assert second.splitlines()[0] == (
        "seed_demo: 0 themes, 0 neighbourhoods, 0 institutions, 0 organisations, "
        "0 challenges, 0 projects, 0 events added"
    )
    assert (
        Theme.objects.count(),
        Neighbourhood.objects.count(),
        Institution.objects.count(),
        User.objects.count(),
    ) == counts
    assert set(Theme.objects.values_list("slug", flat=True)) >= {
        "eenzaamheid",
        "vergrijzing",
        "duurzaamheid",
        "sociale-impact-corona",
        "laaggeletterdheid",
    }
    assert Neighbourhood.objects.filter(district="Leiden-Noord").count() == 5
    assert set(Institution.objects.values_list("kind", flat=True)) == {"mbo", "hbo", "wo"}


def test_seed_demo_prints_passwords_only_in_debug(settings):
    quiet = seed(settings, debug=False)
    loud = seed(settings, debug=True)

    assert "demo login" not in quiet
    assert "Demo passwords are shown only when DEBUG is on." in quiet
    lines = [line for line in loud.splitlines() if line.startswith("demo login: ")]
    assert [line.split()[2] for line in lines] == [
        "student",
        "partner",
        "researcher",
        "coordinator",
    ]
    student_line = lines[0].split()
    assert student_line[4] == demo_password("student@demo.lerenmetdestad.nl")


def test_each_demo_role_logs_in_through_the_real_form(client, settings):
    seed(settings, debug=False)

    for email in [
        "student@demo.lerenmetdestad.nl",
        "partner@demo.lerenmetdestad.nl",
        "onderzoeker@demo.lerenmetdestad.nl",
        "coordinator@demo.lerenmetdestad.nl",
    ]:
        client.logout()
        response = client.post(
            reverse("account_login"), {"login": email, "password": demo_password(email)}
        )
        assert (email, response.status_code, response.url) == (
            email,
            302,
            reverse("accounts:dashboard"),
        )
        assert EmailAddress.objects.get(email=email).verified is True

    coordinator = User.objects.get(email="coordinator@demo.lerenmetdestad.nl")
    assert (coordinator.is_staff, coordinator.is_superuser) == (True, False)
    assert list(coordinator.groups.values_list("name", flat=True)) == ["Coordinators"]
    assert (
        StudentProfile.objects.get(user__email="student@demo.lerenmetdestad.nl").is_complete is True
    )


def test_seed_demo_spreads_challenges_over_every_state(settings):
    seed(settings, debug=False)

    states = set(Challenge.objects.values_list("state", flat=True))

    assert states == set(ChallengeState.values)
    assert Organisation.objects.filter(is_verified=False).count() == 2
    library = Organisation.objects.get(
        kind="library", memberships__user__email="partner@demo.lerenmetdestad.nl"
    )
    assert library.neighbourhoods.filter(district="Leiden-Noord").exists()
