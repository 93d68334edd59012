"""The handover, end to end in the browser: the team writes and submits its dossier, the
partner approves it, and the next group reads it from its own team page.

Each person has a browser of their own and starts on the home page, logs in through the
real form and follows the links they would follow; every page is checked with axe.
"""

import pytest
from playwright.sync_api import Page, expect

from projects.enums import DossierState
from projects.models import HandoverDossier
from tests.e2e.people import menu
from tests.e2e.scenes import handover_scene
from tests.e2e.steps import dutch_date, follow, messages, open_browser
from tests.e2e.words import DUTCH

pytestmark = [pytest.mark.e2e]

SUMMARY = "Samenvatting (niet verplicht)"
WORK_DONE = "Wat we deden (niet verplicht)"
VOICES = "Wat bewoners zeiden (niet verplicht)"
OPEN_QUESTIONS = "Open vragen (niet verplicht)"
ADVICE = "Advies voor het volgende team (niet verplicht)"
PUBLIC_SUMMARY = "Openbare samenvatting (niet verplicht)"


def facts(page: Page) -> dict[str, str]:
    """The dossier as a reader sees it: each heading (dt) with its text (dd)."""
    terms = page.get_by_role("main").locator("dl.facts > dt").all_inner_texts()
    values = page.get_by_role("main").locator("dl.facts > dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


def test_team_writes_partner_approves_and_the_next_group_reads_the_handover(new_context, a11y):
    scene = handover_scene()
    dossier_heading = "Overdracht van groep 1"

    # Sanne opens her group's dossier from her projects and writes the first version.
    sanne = open_browser(new_context, a11y, scene.sanne.email)
    follow(
        sanne, a11y, menu(sanne, DUTCH).get_by_role("link", name="Mijn projecten"), "Mijn projecten"
    )
    follow(
        sanne,
        a11y,
        sanne.get_by_role("link", name="Teampagina"),
        f"Het team dat begint op {dutch_date(scene.first.starts_on)}",
    )
    follow(sanne, a11y, sanne.get_by_role("link", name="Onze overdracht"), dossier_heading)
    expect(sanne.get_by_role("main").locator(".badge").first).to_have_text("Wordt geschreven")
    sanne.get_by_label(SUMMARY, exact=True).fill(
        "We lazen elke woensdag voor in de bibliotheek van Leiden-Noord."
    )
    sanne.get_by_label(WORK_DONE, exact=True).fill("Acht voorleesochtenden en twee gesprekken.")
    sanne.get_by_label(ADVICE, exact=True).fill("Begin bij de koffieochtend van het buurthuis.")
    sanne.get_by_label(PUBLIC_SUMMARY, exact=True).fill("Studenten lazen voor in Leiden-Noord.")
    sanne.get_by_role("button", name="Opslaan", exact=True).click()
    expect(sanne.get_by_role("status")).to_have_text("Opgeslagen. Dit is versie 1.")
    a11y.check(sanne)

    # Tom finds it under "Overdrachten" on his projects page, adds to it and submits it.
    tom = open_browser(new_context, a11y, scene.tom.email)
    follow(tom, a11y, menu(tom, DUTCH).get_by_role("link", name="Mijn projecten"), "Mijn projecten")
    follow(
        tom,
        a11y,
        tom.get_by_role("link", name="Onze overdracht van Voorlezen in de wijk"),
        dossier_heading,
    )
    expect(tom.get_by_label(SUMMARY, exact=True)).to_have_value(
        "We lazen elke woensdag voor in de bibliotheek van Leiden-Noord."
    )
    tom.get_by_label(VOICES, exact=True).fill("Ouderen willen vaker samen lezen.")
    tom.get_by_label(OPEN_QUESTIONS, exact=True).fill("Hoe bereik je mensen die niet komen?")
    tom.get_by_role("button", name="Opslaan en indienen voor goedkeuring").click()
    expect(tom.get_by_role("main").locator(".messages")).to_have_text(
        "Dank je! De overdracht is ingediend. De partner of een docent gaat ernaar kijken."
    )
    a11y.check(tom)
    dossier = HandoverDossier.objects.get(cohort=scene.first)
    assert (dossier.state, dossier.version, dossier.updated_by) == (
        DossierState.SUBMITTED,
        2,
        scene.tom,
    )
    submitted_on = dutch_date(dossier.submitted_at)
    assert tom.get_by_role("main").locator(".notice[role=status]").inner_text() == (
        f"Ingediend op {submitted_on}. De partner, een docent of een coördinator keurt de "
        "overdracht goed of vraagt om wijzigingen. Tot die tijd kun je niets veranderen."
    )
    # Submitted, the form is gone: the team reads what it handed in.
    assert tom.get_by_role("button", name="Opslaan", exact=True).count() == 0

    # Paul, of the partner organisation, finds it on his to-do list and approves it.
    paul = open_browser(new_context, a11y, scene.paul.email)
    follow(paul, a11y, paul.get_by_role("link", name="Te doen: wat op je wacht"), "Te doen")
    # The group also waits for the library's feedback, asked for once a group has ended.
    assert paul.get_by_role("main").get_by_role("heading", level=2).all_inner_texts() == [
        "1 overdrachtsdossier om goed te keuren",
        "1 groep wacht op je feedback",
    ]
    follow(
        paul,
        a11y,
        paul.get_by_role("link", name="Voorlezen in de wijk, groep 1", exact=True),
        "Beslissen over de overdracht van groep 1",
    )
    assert facts(paul)["Open vragen"] == "Hoe bereik je mensen die niet komen?"
    paul.get_by_label("Bericht aan het team (niet verplicht)", exact=True).fill(
        "Mooi werk, dit helpt de volgende groep."
    )
    paul.get_by_role("button", name="Goedkeuren", exact=True).click()
    expect(paul.get_by_role("heading", level=1)).to_have_text(dossier_heading)
    assert messages(paul) == [
        "De overdracht is goedgekeurd. De volgende groep leest de overdracht vanaf de eerste dag."
    ]
    a11y.check(paul)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.decided_by, dossier.decision_note) == (
        DossierState.APPROVED,
        scene.paul,
        "Mooi werk, dit helpt de volgende groep.",
    )

    # Nina, in the next group, opens it from her own team page.
    nina = open_browser(new_context, a11y, scene.nina.email)
    follow(
        nina, a11y, menu(nina, DUTCH).get_by_role("link", name="Mijn projecten"), "Mijn projecten"
    )
    follow(
        nina,
        a11y,
        nina.get_by_role("link", name="Teampagina"),
        f"Het team dat begint op {dutch_date(scene.second.starts_on)}",
    )
    follow(
        nina,
        a11y,
        nina.get_by_role(
            "link", name=f"Wat groep 1 ({dutch_date(scene.first.starts_on, 'F Y')}) overdroeg"
        ),
        dossier_heading,
    )
    assert nina.get_by_role("main").locator(".notice[role=status]").inner_text() == (
        f"Goedgekeurd door Paul Partner op {dutch_date(dossier.decided_at)}.\n\n"
        "Mooi werk, dit helpt de volgende groep."
    )
    assert facts(nina) == {
        "Samenvatting": "We lazen elke woensdag voor in de bibliotheek van Leiden-Noord.",
        "Wat we deden": "Acht voorleesochtenden en twee gesprekken.",
        "Resultaten": "Niet ingevuld.",
        "Contacten": "Niet ingevuld.",
        "Wat bewoners zeiden": "Ouderen willen vaker samen lezen.",
        "Open vragen": "Hoe bereik je mensen die niet komen?",
        "Advies voor het volgende team": "Begin bij de koffieochtend van het buurthuis.",
        "Openbare samenvatting": "Studenten lazen voor in Leiden-Noord.",
    }
    # A reader, not a writer: no form, and no earlier versions, which are the team's own.
    assert nina.get_by_role("textbox").count() == 0
    assert nina.get_by_role("heading", name="Eerdere versies").count() == 0
