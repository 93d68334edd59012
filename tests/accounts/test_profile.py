import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import StudentProfile
from partners.models import Theme
from tests.factories import InstitutionFactory, ThemeFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('accounts:profile')}"


def test_student_profile_saves_themes_languages_and_weekdays(client, student):
    institution = InstitutionFactory(name="mboRijnland", kind="mbo")
    loneliness = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")
    client.force_login(student)

    response = client.post(
        reverse("accounts:profile"),
        {
            "user-name": "Sanne van Dijk",
            "profile-institution": institution.pk,
            "profile-programme": "Zorg en Welzijn",
            "profile-level": "mbo",
            "profile-study_year": "2",
            "profile-themes": [loneliness.pk],
            "profile-languages": ["nl", "en"],
            "profile-weekdays": ["4", "2"],
        },
    )

    assert response.status_code == 302
    profile = StudentProfile.objects.get(user=student)
    student.refresh_from_db()
    assert student.name == "Sanne van Dijk"
    assert (profile.institution, profile.programme, profile.level, profile.study_year) == (
        institution,
        "Zorg en Welzijn",
        "mbo",
        2,
    )
    assert list(profile.themes.all()) == [Theme.objects.get(slug="eenzaamheid")]
    assert profile.languages == ["en", "nl"]
    assert profile.weekdays == [2, 4]


def test_student_profile_bad_input_is_refused_and_kept(client, student):
    client.force_login(student)

    response = client.post(
        reverse("accounts:profile"),
        {
            "user-name": "",
            "profile-programme": "Rechten",
            "profile-level": "phd",
            "profile-study_year": "12",
            "profile-weekdays": ["9"],
        },
    )

    assert response.status_code == 200
    assert set(response.context["name_form"].errors) == {"name"}
    assert set(response.context["profile_form"].errors) == {
        "institution",
        "level",
        "study_year",
        "weekdays",
    }
    assert response.context["profile_form"]["programme"].value() == "Rechten"
    assert StudentProfile.objects.get(user=student).programme == "Social Work"


def test_researcher_profile_saves_expertise(client, researcher):
    client.force_login(researcher)

    response = client.post(
        reverse("accounts:profile"),
        {
            "user-name": researcher.name,
            "profile-institution": researcher.researcher_profile.institution.pk,
            "profile-position": "lecturer",
            "profile-expertise": "Laaggeletterdheid en digitale inclusie",
        },
    )

    assert response.status_code == 302
    researcher.researcher_profile.refresh_from_db()
    assert researcher.researcher_profile.position == "lecturer"
    assert researcher.researcher_profile.expertise == "Laaggeletterdheid en digitale inclusie"


def test_dashboard_shows_each_role_its_own_links(client, student, coordinator):
    client.force_login(student)
    student_page = client.get(reverse("accounts:dashboard")).content.decode()
    client.force_login(coordinator)
    coordinator_page = client.get(reverse("accounts:dashboard")).content.decode()

    assert reverse("admin:index") not in student_page
    assert reverse("admin:index") in coordinator_page


def test_study_year_out_of_range_is_refused_by_the_database(student):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentProfile.objects.filter(user=student).update(study_year=20)
