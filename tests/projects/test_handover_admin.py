"""The coordinators' handover pages: the list by state, the read-only dossier, the decisions."""

import pytest

from outbox.models import Message
from projects.enums import CohortState, DossierState
from projects.models import Cohort, HandoverDossier
from projects.services.handover import dossier_submit
from tests.partners.challenge_setup import speaks_english
from tests.projects.test_handover_setup import build_scene, link_product, written
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DOSSIERS = "/beheer/projects/handoverdossier/"


@pytest.fixture
def scene(student, partner_member):
    return build_scene(student=student, partner_member=partner_member)


@pytest.fixture
def admin_client(client, coordinator):
    sign_in_for_admin(client, speaks_english(coordinator))
    return client


def submitted(scene) -> HandoverDossier:
    dossier = written(scene, summary="Wij lazen voor in De Kooi.")
    return dossier_submit(dossier_id=dossier.pk, actor=scene.sanne)


def shown(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_list_filters_by_state(admin_client, scene):
    submitted(scene)

    response = admin_client.get(DOSSIERS, {"state__exact": "submitted"})
    empty = admin_client.get(DOSSIERS, {"state__exact": "approved"})

    assert [str(d) for d in response.context["cl"].result_list] == ["Voorlezen in de wijk · 1"]
    assert list(empty.context["cl"].result_list) == []


def test_change_page_shows_the_dossier_read_only_with_versions_and_products(admin_client, scene):
    dossier = submitted(scene)
    link_product(dossier, title="Poster", public=True)

    response = admin_client.get(f"{DOSSIERS}{dossier.pk}/change/")

    page = parse(response.content)
    assert response.status_code == 200
    assert page.find_all("textarea", name="summary") == []
    assert "Wij lazen voor in De Kooi." in page.text
    assert "Poster" in page.text
    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 1


def test_approve_action_asks_for_a_note_then_completes_the_group(admin_client, scene):
    dossier = submitted(scene)
    Message.objects.all().delete()

    confirm = admin_client.post(
        DOSSIERS, {"action": "approve_dossiers", "_selected_action": [dossier.pk]}
    )
    done = admin_client.post(
        DOSSIERS,
        {
            "action": "approve_dossiers",
            "_selected_action": [dossier.pk],
            "apply": "1",
            "note": "Goed overgedragen.",
        },
        follow=True,
    )

    assert parse(confirm.content).find("textarea", name="note")
    assert [h1.text for h1 in parse(confirm.content).find_all("h1")] == ["Approve"]
    assert shown(done) == ["Approve: 1 handover done."]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.decision_note) == (DossierState.APPROVED, "Goed overgedragen.")
    assert Cohort.objects.get(pk=scene.first.pk).state == CohortState.COMPLETED
    assert Message.objects.count() == 2


def test_asking_changes_without_a_note_is_refused(admin_client, scene):
    dossier = submitted(scene)

    response = admin_client.post(
        DOSSIERS,
        {"action": "ask_changes_dossiers", "_selected_action": [dossier.pk], "apply": "1"},
        follow=True,
    )

    assert shown(response) == [
        "Voorlezen in de wijk · 1: Say what the team should change: the note is required."
    ]
    assert HandoverDossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED


def test_a_draft_cannot_be_approved_from_the_admin(admin_client, scene):
    dossier = written(scene, summary="Nog bezig")

    response = admin_client.post(
        DOSSIERS,
        {"action": "approve_dossiers", "_selected_action": [dossier.pk], "apply": "1"},
        follow=True,
    )

    refusal = "This handover is not waiting for a decision: it is being written."
    assert shown(response) == [f"Voorlezen in de wijk · 1: {refusal}"]
    assert HandoverDossier.objects.get(pk=dossier.pk).state == DossierState.DRAFT


def test_partner_members_do_not_reach_the_admin(client, scene):
    client.force_login(scene.paul)

    response = client.get(DOSSIERS)

    assert response.status_code == 302
    assert response.url.startswith("/beheer/login/")
