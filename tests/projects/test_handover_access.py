"""Who reads a handover, who decides, who downloads its files, and what anyone sees of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.enums import CohortState, DossierState, EnrolmentState
from projects.models import HandoverDossier, HandoverProduct
from projects.services.handover import dossier_save
from tests.factories import StudentFactory
from tests.partners.challenge_setup import speaks_english
from tests.projects.cohort_factories import cohort_in
from tests.projects.factories import EnrolmentFactory
from tests.projects.test_handover_setup import (
    PDF,
    build_scene,
    file_product,
    in_state,
    link_product,
    written,
)
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def scene(student, partner_member):
    return build_scene(student=student, partner_member=partner_member)


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


@pytest.fixture
def client(client):
    # Anonymous visitors read English too (signed-in people by their account's language).
    client.cookies["lms_language"] = "en"
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def page_url(scene) -> str:
    return reverse("projects:handover", args=[scene.first.pk])


def full(scene) -> HandoverDossier:
    return written(
        scene,
        summary="Wij lazen voor in De Kooi.",
        resident_voices="Ouders wilden vaker voorlezen op zaterdag.",
        advice="Begin bij de bibliotheek.",
        public_summary="Studenten lazen tien weken voor aan kinderen in De Kooi.",
    )


def approved(scene) -> HandoverDossier:
    return in_state(full(scene), DossierState.APPROVED)


def student_of_another_project():
    outsider = StudentFactory(name="Olaf Buiten")
    EnrolmentFactory(cohort=cohort_in(CohortState.RUNNING), student=outsider)
    return outsider


def student_of_an_earlier_group(scene):
    earlier = cohort_in(
        CohortState.COMPLETED,
        project=scene.project,
        number=9,
        starts_on=scene.first.starts_on.replace(year=2025),
        ends_on=scene.first.ends_on.replace(year=2025),
    )
    person = StudentFactory(name="Eva Eerder")
    EnrolmentFactory(cohort=earlier, student=person, state=EnrolmentState.COMPLETED)
    return person


# --- Reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["paul", "lotte", "coordinator"])
def test_guides_read_the_dossier_and_its_history(client, scene, coordinator, who):
    full(scene)
    client.force_login(coordinator if who == "coordinator" else getattr(scene, who))

    response = client.get(page_url(scene))

    page = parse(response.content)
    assert response.status_code == 200
    assert page.find_all("form", id="dossier-form") == []
    assert "Ouders wilden vaker voorlezen op zaterdag." in page.find("dl", class_="facts").text
    assert (
        page.find("section", aria_labelledby="history")
        .find("summary")
        .text.startswith("Version 1, saved by Sanne Student on")
    )


def test_next_group_reads_the_approved_dossier_without_its_drafts(client, scene):
    approved(scene)
    client.force_login(scene.nina)

    response = client.get(page_url(scene))

    page = parse(response.content)
    assert response.status_code == 200
    assert "Begin bij de bibliotheek." in page.find("dl", class_="facts").text
    assert page.find_all("form", id="dossier-form") == []
    assert page.find_all("section", aria_labelledby="history") == []


@pytest.mark.parametrize("state", [DossierState.DRAFT, DossierState.SUBMITTED, "none"])
def test_next_group_does_not_see_an_unapproved_dossier(client, scene, state):
    if state != "none":
        in_state(full(scene), state)
    client.force_login(scene.nina)

    assert client.get(page_url(scene)).status_code == 404
    assert HandoverDossier.objects.filter(cohort=scene.first).count() == (state != "none")


@pytest.mark.parametrize("who", ["outsider", "earlier", "other_partner", "researcher"])
def test_others_do_not_see_even_an_approved_dossier(
    client, scene, other_partner_member, researcher, who
):
    approved(scene)
    person = {
        "outsider": student_of_another_project,
        "earlier": lambda: student_of_an_earlier_group(scene),
        "other_partner": lambda: other_partner_member,
        "researcher": lambda: researcher,
    }[who]()
    client.force_login(person)

    assert client.get(page_url(scene)).status_code == 404
    assert client.get(reverse("projects:handover_decide", args=[scene.first.pk])).status_code == (
        404
    )


def test_anonymous_visitors_are_sent_to_log_in(client, scene):
    approved(scene)

    for name in ("projects:handover", "projects:handover_decide"):
        response = client.get(reverse(name, args=[scene.first.pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["sanne", "nina"])
def test_students_never_see_the_decision_page(client, scene, who):
    in_state(full(scene), DossierState.SUBMITTED)
    client.force_login(getattr(scene, who))

    assert client.get(reverse("projects:handover_decide", args=[scene.first.pk])).status_code == (
        404
    )


@pytest.mark.parametrize("who", ["paul", "lotte", "coordinator"])
def test_guides_see_the_decision_page(client, scene, coordinator, who):
    in_state(full(scene), DossierState.SUBMITTED)
    client.force_login(coordinator if who == "coordinator" else getattr(scene, who))

    response = client.get(reverse("projects:handover_decide", args=[scene.first.pk]))

    page = parse(response.content)
    assert response.status_code == 200
    buttons = page.find("form", id="decision-form").find_all("button")
    assert [b.text for b in buttons] == ["Approve", "Ask for changes"]


def test_only_the_team_posts_to_the_dossier(client, scene):
    full(scene)
    client.force_login(scene.paul)

    response = client.post(page_url(scene), {"base_version": "1", "summary": "Van Paul"})

    assert response.status_code == 302
    assert HandoverDossier.objects.get(cohort=scene.first).summary == "Wij lazen voor in De Kooi."


# --- Products and their files -----------------------------------------------------------------


def test_team_adds_a_file_and_downloads_it(client, scene, media):
    client.force_login(scene.sanne)

    response = client.post(
        reverse("projects:handover_product_add", args=[scene.first.pk]),
        {"title": "Verslag", "file": SimpleUploadedFile("verslag.pdf", PDF)},
    )

    assert response.status_code == 302
    product = HandoverProduct.objects.get()
    assert (product.title, product.url, product.public, product.added_by) == (
        "Verslag",
        "",
        False,
        scene.sanne,
    )
    assert product.file.name.startswith(f"handover/{scene.first.pk}/")
    download = client.get(
        reverse("projects:handover_product_file", args=[scene.first.pk, product.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="verslag.pdf"'
    assert download["Cache-Control"] == "private, no-store"


def test_team_adds_a_public_link(client, scene):
    client.force_login(scene.tom)

    client.post(
        reverse("projects:handover_product_add", args=[scene.first.pk]),
        {"title": "Poster", "url": "https://example.org/poster", "public": "on"},
    )

    assert list(HandoverProduct.objects.values_list("title", "url", "public")) == [
        ("Poster", "https://example.org/poster", True)
    ]


@pytest.mark.parametrize(
    ("extra", "field", "error"),
    [
        ({}, "url", "Error: Add a link, or choose a file."),
        (
            {"url": "https://example.org/a", "file": "pdf"},
            "url",
            "Error: Add either a link or a file, not both.",
        ),
        (
            {"file": "exe"},
            "file",
            (
                "Error: setup.exe is not a file type we accept. Use one of: "
                "docx, jpeg, jpg, odt, pdf, png, pptx, txt, xlsx."
            ),
        ),
        ({"url": "geen adres"}, "url", "Error: Enter a valid URL."),
    ],
)
def test_bad_product_is_refused_and_keeps_what_was_typed(client, scene, media, extra, field, error):
    files = {
        "pdf": SimpleUploadedFile("verslag.pdf", PDF),
        "exe": SimpleUploadedFile("setup.exe", b"MZ"),
    }
    if "file" in extra:
        extra = {**extra, "file": files[extra["file"]]}
    client.force_login(scene.sanne)

    response = client.post(
        reverse("projects:handover_product_add", args=[scene.first.pk]),
        {"title": "Verslag van de interviews", **extra},
    )

    assert response.status_code == 400
    page = parse(response.content)
    form = page.find("form", id="product-form")
    assert form.find("input", name="title").attrs["value"] == "Verslag van de interviews"
    assert page.find("ul", id=f"id_{field}_error").text == error
    assert HandoverProduct.objects.count() == 0


def test_removing_a_file_product_deletes_the_file(
    client, scene, media, django_capture_on_commit_callbacks
):
    product = file_product(full(scene), title="Verslag", public=False)
    stored = media / product.file.name
    assert stored.exists()
    client.force_login(scene.tom)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:handover_product_remove", args=[scene.first.pk, product.pk])
        )

    assert response.status_code == 302
    assert HandoverProduct.objects.count() == 0
    assert not stored.exists()


def test_products_cannot_change_once_submitted(client, scene, media):
    dossier = in_state(full(scene), DossierState.SUBMITTED)
    product = link_product(dossier, title="Poster", public=True)
    client.force_login(scene.sanne)

    client.post(
        reverse("projects:handover_product_add", args=[scene.first.pk]),
        {"title": "Nog iets", "url": "https://example.org/nog"},
    )
    client.post(reverse("projects:handover_product_remove", args=[scene.first.pk, product.pk]))

    assert list(HandoverProduct.objects.values_list("title", flat=True)) == ["Poster"]


def download(client, scene, product):
    return client.get(reverse("projects:handover_product_file", args=[scene.first.pk, product.pk]))


def test_next_group_downloads_a_private_file_once_approved(client, scene, media):
    dossier = full(scene)
    product = file_product(dossier, title="Verslag", public=False)
    client.force_login(scene.nina)

    assert download(client, scene, product).status_code == 404
    in_state(dossier, DossierState.APPROVED)
    assert download(client, scene, product).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "earlier", "other_partner", "researcher"])
def test_others_cannot_download_a_private_file(
    client, scene, media, other_partner_member, researcher, who
):
    product = file_product(approved(scene), title="Verslag", public=False)
    person = {
        "outsider": student_of_another_project,
        "earlier": lambda: student_of_an_earlier_group(scene),
        "other_partner": lambda: other_partner_member,
        "researcher": lambda: researcher,
    }[who]()
    client.force_login(person)

    assert download(client, scene, product).status_code == 404


def test_anonymous_visitor_downloads_only_public_files_of_approved_dossiers(client, scene, media):
    dossier = full(scene)
    public = file_product(dossier, title="Poster", public=True)
    private = file_product(dossier, title="Verslag", public=False)

    before = download(client, scene, public)
    in_state(dossier, DossierState.APPROVED)
    after_public, after_private = download(client, scene, public), download(client, scene, private)

    assert before.status_code == 302
    assert before.url.startswith(reverse("account_login"))
    assert after_public.status_code == 200
    assert after_private.status_code == 302


def test_download_of_another_groups_product_by_the_wrong_address_is_404(client, scene, media):
    product = file_product(full(scene), title="Verslag", public=False)
    client.force_login(scene.sanne)

    response = client.get(
        reverse("projects:handover_product_file", args=[scene.second.pk, product.pk])
    )

    assert response.status_code == 404


# --- The public part on the project page ------------------------------------------------------


def test_project_page_shows_the_public_part_of_approved_dossiers_to_anyone(client, scene, media):
    dossier = approved(scene)
    link_product(dossier, title="Poster voor de buurt", public=True)
    file_product(dossier, title="Interviewverslag", public=False)

    response = client.get(scene.project.get_absolute_url())

    page = parse(response.content)
    section = page.find("section", aria_labelledby="handovers-title")
    assert section.find("h2").text == "What earlier groups handed over"
    assert section.find("h3").text == "Group 1"
    assert section.find("div", class_="prose").text == (
        "Studenten lazen tien weken voor aan kinderen in De Kooi."
    )
    assert [a.text for a in section.find_all("a")] == ["Poster voor de buurt"]
    text = response.content.decode()
    for private in (
        "Ouders wilden vaker voorlezen op zaterdag.",
        "Begin bij de bibliotheek.",
        "Wij lazen voor in De Kooi.",
        "Interviewverslag",
    ):
        assert private not in text


def test_project_page_shows_nothing_of_an_unapproved_dossier(client, scene):
    in_state(full(scene), DossierState.SUBMITTED)

    page = parse(client.get(scene.project.get_absolute_url()).content)

    assert page.find_all("section", aria_labelledby="handovers-title") == []


@pytest.mark.parametrize("count", [1, 4])
def test_project_page_reads_handovers_in_constant_queries(
    client, student, partner_member, django_assert_num_queries, count
):
    scene = build_scene(student=student, partner_member=partner_member)
    for number in range(count):
        cohort = cohort_in(
            CohortState.COMPLETED,
            project=scene.project,
            number=10 + number,
            starts_on=scene.first.starts_on.replace(year=2020 + number),
            ends_on=scene.first.ends_on.replace(year=2020 + number),
        )
        dossier = HandoverDossier.objects.create(cohort=cohort, public_summary=f"Groep {number}")
        in_state(dossier, DossierState.APPROVED)
        link_product(dossier, title=f"Poster {number}", public=True)

    with django_assert_num_queries(PROJECT_PAGE_QUERIES):
        response = client.get(scene.project.get_absolute_url())

    headings = parse(response.content).find("section", aria_labelledby="handovers-title")
    assert len(headings.find_all("h3")) == count


# --- Links from the team's pages, and the number of queries ------------------------------------


def test_next_groups_team_page_links_to_the_approved_handover(client, scene):
    approved(scene)
    client.force_login(scene.nina)

    page = parse(client.get(reverse("projects:team", args=[scene.second.pk])).content)

    links = page.find("section", aria_labelledby="handover-title").find_all("a")
    assert [(a.text, a.attrs["href"]) for a in links] == [
        ("What group 1 (February 2026) handed over", page_url(scene))
    ]


def test_team_page_links_to_the_groups_own_handover(client, scene):
    client.force_login(scene.sanne)

    page = parse(client.get(reverse("projects:team", args=[scene.first.pk])).content)

    links = page.find("section", aria_labelledby="handover-title").find_all("a")
    assert [(a.text, a.attrs["href"]) for a in links] == [("Our handover", page_url(scene))]


def test_my_projects_links_to_own_and_inherited_handovers(client, scene):
    approved(scene)
    EnrolmentFactory(
        cohort=cohort_in(CohortState.RUNNING, project__title="Buurtmoestuin"), student=scene.nina
    )

    client.force_login(scene.nina)
    page = parse(client.get(reverse("projects:mine")).content)

    links = page.find("section", aria_labelledby="handovers-title").find_all("a")
    assert [a.text for a in links] == [
        "Our handover of Buurtmoestuin",
        "Voorlezen in de wijk: what group 1 handed over to you",
    ]


def test_my_projects_shows_no_unapproved_handover_of_an_earlier_group(client, scene):
    in_state(full(scene), DossierState.SUBMITTED)
    client.force_login(scene.nina)

    page = parse(client.get(reverse("projects:mine")).content)

    assert page.find_all("section", aria_labelledby="handovers-title") == []


@pytest.mark.parametrize("count", [1, 6])
def test_dossier_page_queries_do_not_grow_with_versions_and_products(
    client, scene, media, django_assert_num_queries, count
):
    dossier = full(scene)
    for number in range(count):
        dossier = written_again(scene, dossier, f"Versie {number}")
        file_product(dossier, title=f"Bestand {number}", public=False)
        link_product(dossier, title=f"Link {number}", public=True)
    client.force_login(scene.sanne)
    client.get(page_url(scene))

    with django_assert_num_queries(DOSSIER_PAGE_QUERIES):
        response = client.get(page_url(scene))

    page = parse(response.content)
    assert len(page.find("section", aria_labelledby="history").find_all("li")) == count + 1
    assert len(page.find("section", id="producten").find_all("li")) == 2 * count


@pytest.mark.parametrize("count", [1, 5])
def test_my_projects_queries_do_not_grow_with_handovers(
    client, scene, django_assert_num_queries, count
):
    approved(scene)
    for number in range(count):
        EnrolmentFactory(
            cohort=cohort_in(CohortState.RUNNING, project__title=f"Project {number}"),
            student=scene.nina,
        )
    client.force_login(scene.nina)
    client.get(reverse("projects:mine"))

    with django_assert_num_queries(MINE_PAGE_QUERIES):
        response = client.get(reverse("projects:mine"))

    links = parse(response.content).find("section", aria_labelledby="handovers-title")
    assert len(links.find_all("a")) == count + 1


def written_again(scene, dossier, summary):
    return dossier_save(
        dossier_id=dossier.pk,
        actor=scene.tom,
        base_version=dossier.version,
        fields={"summary": summary},
    )


# Session, user, the cohort with its dossier, the permissions (the team check three times, the
# team page's once), the versions and the products.
DOSSIER_PAGE_QUERIES = 9
# The project page's own queries and two for the public handovers (dossiers, their products).
PROJECT_PAGE_QUERIES = 7
# "My projects" and one for the handovers.
MINE_PAGE_QUERIES = 5
