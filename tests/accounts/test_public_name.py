"""A person's name on public pages: only with their consent (`User.name_public`), off by
default, given and taken back on the profile page.

The one public page that names a person is a project's page, which names its lecturers.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ResearcherFactory
from tests.projects.factories import ProjectFactory
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PROFILE = reverse("accounts:profile")


def facts_of(response) -> dict[str, str]:
    """The facts list of a project page, as {term: description}, in Dutch as shown."""
    assert response.status_code == 200
    facts = parse(response.content).find("dl", class_="facts")
    terms = facts.find_all("dt")
    return {dt.text: dd.text for dt, dd in zip(terms, facts.find_all("dd"), strict=True)}


def lecturer_names(response) -> list[str]:
    """The names after "Docent" on a project page; none when the page names no lecturer."""
    names = facts_of(response).get("Docent")
    return names.split(", ") if names else []


def profile_post(client, user, **fields) -> None:
    data = {"user-name": user.name, "profile-position": "lecturer", "profile-expertise": "Wijken"}
    data |= {f"user-{key}": value for key, value in fields.items()}
    response = client.post(PROFILE, data)
    assert response.status_code == 302


def test_project_page_lecturer_without_consent_is_not_named(client, researcher):
    project = ProjectFactory(title="Voorlezen voor ouderen")
    project.lecturers.set([researcher])

    response = client.get(project.get_absolute_url())

    assert lecturer_names(response) == []
    assert researcher.name not in response.text


def test_project_page_lecturer_with_consent_is_named(client, researcher):
    shy = ResearcherFactory(name="Stijn Stil")
    researcher.name_public = True
    researcher.save(update_fields=["name_public"])
    project = ProjectFactory(title="Voorlezen voor ouderen")
    project.lecturers.set([researcher, shy])

    response = client.get(project.get_absolute_url())

    assert lecturer_names(response) == ["Rachid Onderzoeker"]
    assert "Stijn Stil" not in response.text


def test_project_page_inactive_lecturer_is_not_named_despite_consent(client):
    gone = ResearcherFactory(name="Gerda Weg", name_public=True, is_active=False)
    project = ProjectFactory(title="Voorlezen voor ouderen")
    project.lecturers.set([gone])

    assert lecturer_names(client.get(project.get_absolute_url())) == []


def test_project_page_consent_taken_back_on_profile_removes_name(client, researcher):
    project = ProjectFactory(title="Voorlezen voor ouderen")
    project.lecturers.set([researcher])
    visitor = Client()
    client.force_login(researcher)

    profile_post(client, researcher, name_public="on")
    named = lecturer_names(visitor.get(project.get_absolute_url()))
    profile_post(client, researcher)  # an unticked checkbox is not sent
    unnamed = lecturer_names(visitor.get(project.get_absolute_url()))

    assert (named, unnamed) == (["Rachid Onderzoeker"], [])
    researcher.refresh_from_db()
    assert researcher.name_public is False


def test_project_page_query_count_does_not_grow_with_lecturers(client, django_assert_num_queries):
    few = ProjectFactory(title="Weinig docenten")
    few.lecturers.set([ResearcherFactory(name_public=True)])
    many = ProjectFactory(title="Veel docenten")
    many.lecturers.set(
        ResearcherFactory.create_batch(3, name_public=True)
        + ResearcherFactory.create_batch(3, name_public=False)
    )

    # Project, themes, organisations, lecturers who agreed, groups.
    with django_assert_num_queries(5):
        one = client.get(few.get_absolute_url())
    with django_assert_num_queries(5):
        three = client.get(many.get_absolute_url())

    assert (len(lecturer_names(one)), len(lecturer_names(three))) == (1, 3)


def test_profile_page_shows_consent_off_by_default_with_where_it_applies(client, researcher):
    client.force_login(researcher)

    page = parse(client.get(PROFILE).content)

    checkbox = page.find("input", name="user-name_public")
    assert (checkbox.attrs["type"], "checked" in checkbox.attrs) == ("checkbox", False)
    assert page.find("label", for_="id_user-name_public").text == (
        "Mijn naam tonen op openbare pagina's"
    )
    assert page.find("div", id="id_user-name_public_helptext").text == (
        "Dan ziet iedereen, ook zonder account, je naam op de openbare pagina van elk project "
        "waar je docent bent. Geen andere openbare pagina laat je naam zien. Staat dit uit, "
        "dan laten die pagina's je naam weg. Je kunt dit altijd weer uitzetten."
    )


def test_profile_consent_saves_and_shows_ticked(client, student):
    client.force_login(student)
    data = {
        "user-name": student.name,
        "user-name_public": "on",
        "profile-institution": student.student_profile.institution.pk,
        "profile-programme": "Social Work",
        "profile-level": student.student_profile.level,
    }

    response = client.post(PROFILE, data)

    assert response.status_code == 302
    student.refresh_from_db()
    assert student.name_public is True
    checkbox = parse(client.get(PROFILE).content).find("input", name="user-name_public")
    assert "checked" in checkbox.attrs


def test_privacy_statement_says_where_a_name_is_public_and_that_consent_can_be_taken_back(
    client,
):
    page = parse(client.get(reverse("privacy")).content)
    # The tree joins a link's text to what follows with a space; a browser does not.
    items = [li.text.replace(" ,", ",") for li in page.find_all("li")]

    assert (
        "Alleen je naam kan op een openbare pagina staan: op de pagina van elk project waar je "
        "docent bent. We laten hem alleen zien als je dat op je profiel toestaat. Het staat uit "
        "tot je het aanzet, en je kunt het altijd weer uitzetten."
    ) in items
    assert (
        "Wat anderen over jou schreven, zoals een bericht, een regel in een logboek of een "
        "notitie bij een besluit, is van hen. Als je je account wist, verandert dat niet. "
        "Vraag het ons via privacy@lerenmetdestad.nl, dan halen onze coördinatoren je naam met "
        "de hand uit zo'n bericht."
    ) in items
