"""Writing the handover together, submitting it, and the partner's decision, with their mails."""

import pytest
from django.conf import settings
from django.urls import reverse

from outbox.models import Message
from projects.enums import CohortState, DossierState
from projects.models import Cohort, CohortLogEntry, HandoverDossier, HandoverDossierVersion
from projects.services.handover import (
    DossierConflictError,
    HandoverError,
    dossier_decide,
    dossier_for,
    dossier_save,
    dossier_submit,
)
from tests.projects.test_handover_setup import build_scene, in_state, written
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def scene(student, partner_member):
    return build_scene(student=student, partner_member=partner_member)


def page_url(scene) -> str:
    return reverse("projects:handover", args=[scene.first.pk])


def form_of(response, form_id: str = "dossier-form") -> dict[str, str]:
    """What the browser would post back from the dossier form as shown."""
    form = parse(response.content).find("form", id=form_id)
    data = {el.attrs["name"]: el.attrs.get("value", "") for el in form.find_all("input")}
    data |= {el.attrs["name"]: el.text for el in form.find_all("textarea")}
    return data


def history(dossier) -> list[tuple[int, str, str]]:
    return list(
        HandoverDossierVersion.objects.filter(dossier=dossier)
        .order_by("number")
        .values_list("number", "saved_by__name", "content__summary")
    )


# --- Writing together -------------------------------------------------------------------------


def test_dossier_page_opens_an_empty_dossier_for_the_team(client, scene):
    client.force_login(scene.sanne)

    response = client.get(page_url(scene))

    page = parse(response.content)
    assert response.status_code == 200
    dossier = HandoverDossier.objects.get(cohort=scene.first)
    assert (dossier.state, dossier.version) == (DossierState.DRAFT, 0)
    assert page.find("input", name="base_version").attrs["value"] == "0"
    labels = [label.text for label in page.find("form", id="dossier-form").find_all("label")]
    assert labels == [
        "Summary (optional)",
        "What we did (optional)",
        "Results (optional)",
        "Contacts (optional)",
        "What residents said (optional)",
        "Open questions (optional)",
        "Advice for the next team (optional)",
        "Public summary (optional)",
    ]
    voices = page.find("textarea", name="resident_voices")
    assert page.find(id=voices.attrs["aria-describedby"]).text == (
        "What you heard from residents, in general terms. Never write names, addresses, ages "
        "or other details by which a resident can be recognised."
    )


def test_saving_raises_the_version_and_keeps_each_save(client, scene):
    client.force_login(scene.sanne)
    data = form_of(client.get(page_url(scene)))

    first = client.post(page_url(scene), {**data, "summary": "Wij lazen voor in De Kooi."})
    data = form_of(client.get(page_url(scene)))
    second = client.post(page_url(scene), {**data, "summary": "Wij lazen elke week voor."})

    assert (first.status_code, second.status_code) == (302, 302)
    dossier = HandoverDossier.objects.get(cohort=scene.first)
    assert (dossier.version, dossier.summary, dossier.updated_by) == (
        2,
        "Wij lazen elke week voor.",
        scene.sanne,
    )
    assert history(dossier) == [
        (1, "Sanne Student", "Wij lazen voor in De Kooi."),
        (2, "Sanne Student", "Wij lazen elke week voor."),
    ]


def test_second_save_from_the_same_version_is_refused_and_both_texts_are_shown(client, scene):
    client.force_login(scene.sanne)
    sannes_form = form_of(client.get(page_url(scene)))
    client.force_login(scene.tom)
    toms_form = form_of(client.get(page_url(scene)))

    client.force_login(scene.sanne)
    client.post(page_url(scene), {**sannes_form, "advice": "Begin bij de bibliotheek."})
    client.force_login(scene.tom)
    refused = client.post(page_url(scene), {**toms_form, "advice": "Bel eerst het buurthuis."})

    assert refused.status_code == 409
    page = parse(refused.content)
    assert page.find("textarea", name="advice").text == "Bel eerst het buurthuis."
    assert page.find("div", id="conflict").find("p").text == (
        "Sanne Student saved the handover while you were writing. Your text has not been "
        "saved yet: it is still in the form below, next to what Sanne Student saved. "
        "Combine the two and save again."
    )
    theirs = page.find("div", class_="callout")
    assert theirs.text == "Saved meanwhile by Sanne Student: Begin bij de bibliotheek."
    dossier = HandoverDossier.objects.get(cohort=scene.first)
    assert (dossier.version, dossier.advice) == (1, "Begin bij de bibliotheek.")
    assert history(dossier) == [(1, "Sanne Student", "")]

    # Tom combines both and saves from the version the conflict showed him: that goes through.
    combined = {**form_of(refused), "advice": "Begin bij de bibliotheek. Bel het buurthuis."}
    assert combined["base_version"] == "1"
    saved = client.post(page_url(scene), combined)

    assert saved.status_code == 302
    assert list(
        HandoverDossierVersion.objects.filter(dossier=dossier)
        .order_by("number")
        .values_list("number", "saved_by__name", "content__advice")
    ) == [
        (1, "Sanne Student", "Begin bij de bibliotheek."),
        (2, "Tom Teamgenoot", "Begin bij de bibliotheek. Bel het buurthuis."),
    ]


def test_conflict_error_carries_the_newer_text_and_who_saved_it(scene):
    dossier = written(scene, summary="Versie van Sanne")

    with pytest.raises(DossierConflictError) as raised:
        dossier_save(
            dossier_id=dossier.pk, actor=scene.tom, base_version=0, fields={"summary": "Van Tom"}
        )

    error = raised.value
    assert (error.version, error.saved_by, error.content["summary"]) == (
        1,
        scene.sanne,
        "Versie van Sanne",
    )
    assert HandoverDossier.objects.get(pk=dossier.pk).summary == "Versie van Sanne"


def test_missing_base_version_is_treated_as_a_conflict(client, scene):
    written(scene, summary="Wat er al staat")
    client.force_login(scene.tom)

    response = client.post(page_url(scene), {"summary": "Iets nieuws"})

    assert response.status_code == 409
    assert parse(response.content).find("textarea", name="summary").text == "Iets nieuws"
    assert HandoverDossier.objects.get(cohort=scene.first).summary == "Wat er al staat"


def test_save_without_changes_adds_no_version(scene):
    dossier = written(scene, summary="Hetzelfde")

    again = dossier_save(
        dossier_id=dossier.pk, actor=scene.tom, base_version=1, fields={"summary": "Hetzelfde"}
    )

    assert again.version == 1
    assert HandoverDossierVersion.objects.count() == 1


def test_too_long_text_is_refused_and_kept_in_the_form(client, scene):
    client.force_login(scene.sanne)
    data = form_of(client.get(page_url(scene)))

    response = client.post(page_url(scene), {**data, "contacts": "x" * 3001})

    assert response.status_code == 400
    page = parse(response.content)
    assert page.find("textarea", name="contacts").text == "x" * 3001
    assert page.find("ul", id="id_contacts_error").text == (
        "Error: Ensure this value has at most 3000 characters (it has 3001)."
    )
    assert HandoverDossier.objects.get(cohort=scene.first).version == 0


def test_only_the_team_writes(scene):
    dossier = dossier_for(scene.first)

    for person in (scene.nina, scene.paul, scene.lotte):
        with pytest.raises(HandoverError):
            dossier_save(
                dossier_id=dossier.pk, actor=person, base_version=0, fields={"summary": "x"}
            )

    assert HandoverDossier.objects.get(pk=dossier.pk).version == 0


def test_planned_group_has_no_dossier_yet(scene):
    with pytest.raises(HandoverError):
        dossier_for(scene.second)


# --- Submitting -------------------------------------------------------------------------------


def test_save_and_submit_mails_the_partner_and_the_lecturers(client, scene, other_partner_member):
    client.force_login(scene.sanne)
    data = form_of(client.get(page_url(scene)))

    response = client.post(
        page_url(scene), {**data, "summary": "Wij lazen voor.", "intent": "submit"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Thank you! The handover is submitted. The partner or a lecturer will look at it."
    ]
    dossier = HandoverDossier.objects.get(cohort=scene.first)
    assert dossier.state == DossierState.SUBMITTED
    assert sorted(Message.objects.values_list("to_email", "subject")) == [
        (
            "lotte@hsleiden.nl",
            "Voorlezen in de wijk: the handover of group 1 is waiting for you",
        ),
        (
            "paul@bibliotheekleiden.nl",
            "Voorlezen in de wijk: the handover of group 1 is waiting for you",
        ),
    ]
    body = Message.objects.get(to_email="paul@bibliotheekleiden.nl").body_text
    assert f"{settings.SITE_URL}/projecten/groep/{scene.first.pk}/overdracht/besluit/" in body
    # Submitted, the form is gone: the team reads what it handed in.
    assert parse(response.content).find_all("form", id="dossier-form") == []


def test_submit_without_a_summary_is_refused(scene):
    dossier = written(scene, advice="Alleen advies")

    with pytest.raises(HandoverError, match="Write at least the summary"):
        dossier_submit(dossier_id=dossier.pk, actor=scene.sanne)

    assert HandoverDossier.objects.get(pk=dossier.pk).state == DossierState.DRAFT
    assert Message.objects.count() == 0


def test_submitted_dossier_cannot_be_changed(client, scene):
    dossier = in_state(written(scene, summary="Ingeleverd"), DossierState.SUBMITTED)
    client.force_login(scene.tom)

    response = client.post(
        page_url(scene), {"base_version": "1", "summary": "Toch anders"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "The handover cannot be changed now: it is submitted for approval."
    ]
    assert HandoverDossier.objects.get(pk=dossier.pk).summary == "Ingeleverd"


# --- Deciding ---------------------------------------------------------------------------------


def decide_url(scene) -> str:
    return reverse("projects:handover_decide", args=[scene.first.pk])


def submitted(scene) -> HandoverDossier:
    dossier = written(scene, summary="Wij lazen voor in De Kooi.")
    return dossier_submit(dossier_id=dossier.pk, actor=scene.sanne)


def test_approval_completes_the_group_in_handover_and_mails_the_team(client, scene):
    dossier = submitted(scene)
    Message.objects.all().delete()
    client.force_login(scene.paul)

    response = client.post(
        decide_url(scene), {"decision": "approve", "note": "Mooi werk."}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "The handover is approved. The next group will read it from its first day."
    ]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.decided_by, dossier.decision_note) == (
        DossierState.APPROVED,
        scene.paul,
        "Mooi werk.",
    )
    assert Cohort.objects.get(pk=scene.first.pk).state == CohortState.COMPLETED
    entry = CohortLogEntry.objects.get(cohort=scene.first)
    assert (entry.action, entry.actor, entry.to_state) == ("complete", None, CohortState.COMPLETED)
    assert sorted(Message.objects.values_list("to_email", "subject")) == [
        ("sanne@student.hsleiden.nl", "Your handover for Voorlezen in de wijk is approved"),
        ("tom@student.hsleiden.nl", "Your handover for Voorlezen in de wijk is approved"),
    ]
    assert "Mooi werk." in Message.objects.get(to_email="tom@student.hsleiden.nl").body_text


def test_approval_of_a_running_group_leaves_it_running(student, partner_member, coordinator):
    scene = build_scene(
        student=student, partner_member=partner_member, first_state=CohortState.RUNNING
    )
    dossier = submitted(scene)

    dossier_decide(dossier_id=dossier.pk, actor=coordinator, approve=True, note="")

    assert HandoverDossier.objects.get(pk=dossier.pk).state == DossierState.APPROVED
    assert Cohort.objects.get(pk=scene.first.pk).state == CohortState.RUNNING


def test_asking_changes_needs_a_note_and_keeps_what_was_typed(client, scene):
    submitted(scene)
    client.force_login(scene.lotte)

    response = client.post(decide_url(scene), {"decision": "changes", "note": "   "})

    assert response.status_code == 400
    page = parse(response.content)
    assert page.find("ul", id="id_note_error").text == "Error: Say what the team should change."
    assert HandoverDossier.objects.get(cohort=scene.first).state == DossierState.SUBMITTED


def test_asking_changes_mails_the_team_and_opens_the_dossier_again(client, scene):
    dossier = submitted(scene)
    Message.objects.all().delete()
    client.force_login(scene.lotte)

    client.post(
        decide_url(scene), {"decision": "changes", "note": "Schrijf meer over de resultaten."}
    )

    dossier.refresh_from_db()
    assert (dossier.state, dossier.decision_note) == (
        DossierState.CHANGES_REQUESTED,
        "Schrijf meer over de resultaten.",
    )
    assert Cohort.objects.get(pk=scene.first.pk).state == CohortState.HANDOVER
    assert sorted(Message.objects.values_list("to_email", "subject")) == [
        ("sanne@student.hsleiden.nl", "Changes asked in your handover for Voorlezen in de wijk"),
        ("tom@student.hsleiden.nl", "Changes asked in your handover for Voorlezen in de wijk"),
    ]
    assert "Schrijf meer over de resultaten." in Message.objects.first().body_text

    # The team can write again, and sees what to change.
    client.force_login(scene.tom)
    page = parse(client.get(page_url(scene)).content)
    assert page.find("form", id="dossier-form")
    assert page.find("blockquote").text == "Schrijf meer over de resultaten."


def test_resubmission_mails_the_partner_again(scene):
    dossier = submitted(scene)
    dossier_decide(dossier_id=dossier.pk, actor=scene.paul, approve=False, note="Meer graag.")

    dossier_submit(dossier_id=dossier.pk, actor=scene.tom)

    subjects = Message.objects.filter(to_email="paul@bibliotheekleiden.nl").values_list(
        "subject", flat=True
    )
    assert (
        list(subjects) == ["Voorlezen in de wijk: the handover of group 1 is waiting for you"] * 2
    )


def test_a_dossier_is_decided_once(scene, coordinator):
    dossier = submitted(scene)
    dossier_decide(dossier_id=dossier.pk, actor=scene.paul, approve=True, note="")

    with pytest.raises(HandoverError, match="not waiting for a decision"):
        dossier_decide(dossier_id=dossier.pk, actor=coordinator, approve=False, note="Toch niet")

    assert HandoverDossier.objects.get(pk=dossier.pk).state == DossierState.APPROVED


def test_students_never_decide_even_on_another_groups_dossier(scene):
    dossier = submitted(scene)

    for person in (scene.sanne, scene.nina):
        with pytest.raises(HandoverError, match="Only the partner"):
            dossier_decide(dossier_id=dossier.pk, actor=person, approve=True, note="")

    assert HandoverDossier.objects.get(pk=dossier.pk).state == DossierState.SUBMITTED
