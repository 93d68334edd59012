"""A partner brings in a challenge; a coordinator reviews it in the admin, turns it into a
project with a group and opens registration.

The partner signs up, registers the organisation, writes and submits the challenge, answers
the coordinator's question and sees it accepted. The coordinator, made by a fixture, does
the rest in /beheer/: verifies the organisation, asks the question, accepts, creates the
project and its group from the challenge, and opens registration.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from partners.enums import ChallengeState
from partners.models import Challenge
from projects.enums import CohortState
from projects.models import Cohort
from tests.e2e.people import log_in, menu, sign_up
from tests.e2e.screenshots import save_screenshot
from tests.e2e.words import DUTCH
from tests.factories import PASSWORD, CoordinatorFactory, NeighbourhoodFactory, ThemeFactory

pytestmark = [pytest.mark.e2e]

CHALLENGE = "Samen eten tegen eenzaamheid"
QUESTION = "Op welke dag kunnen studenten meekoken?"
ANSWER = "Op dinsdag, van drie tot zeven uur."


@pytest.fixture
def city():
    ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    ThemeFactory(slug="duurzaamheid", name="Duurzaamheid")
    NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    return CoordinatorFactory(name="Cora Coördinator", email="cora@lerenmetdestad.nl")


def admin_index_link(page: Page, app: str, model: str):
    return page.get_by_role("table", name=app).get_by_role("link", name=model, exact=True)


def admin_action(page: Page, a11y, name: str, action: str) -> None:
    """On an admin list: tick one row, choose the action and run it."""
    page.get_by_role("checkbox", name=f"Selecteer dit object voor een actie - {name}").check()
    page.get_by_label("Actie:").select_option(label=action)
    page.get_by_role("button", name="Uitvoeren").click()
    a11y.check(page)


def sidebar_link(page: Page, app: str, model: str):
    """A model's link in the admin's side bar, under its app."""
    return (
        page.get_by_role("navigation", name="Zijbalk")
        .get_by_role("table", name=app)
        .get_by_role("rowheader")
        .get_by_role("link", name=model, exact=True)
    )


def test_partner_brings_in_a_challenge_and_a_coordinator_opens_a_group(new_context, a11y, city):
    paul = new_context().new_page()
    paul.goto("/")
    a11y.check(paul)
    sign_up(
        paul,
        a11y,
        DUTCH,
        name="Paul Bakker",
        email="paul@buurthuisdekooi.nl",
        role="Lid van een maatschappelijke organisatie",
        password=PASSWORD,
    )
    a11y.check(paul)
    menu(paul, DUTCH).get_by_role("link", name="Mijn organisatie").click()
    a11y.check(paul)
    paul.get_by_role("link", name="Een nieuwe organisatie aanmelden").click()
    a11y.check(paul)
    paul.get_by_label("Naam van de organisatie").fill("Buurthuis De Kooi")
    paul.get_by_label("Wat voor organisatie is het?").select_option(label="Welzijnsorganisatie")
    paul.get_by_label("Wat doet de organisatie?").fill(
        "Een buurthuis in Leiden-Noord waar bewoners elkaar ontmoeten."
    )
    paul.get_by_label("Adres (niet verplicht)").fill("Kooilaan 1, 2315 AA Leiden")
    paul.get_by_role("group", name="Wijken waar jullie werken").get_by_label("Leiden-Noord").check()
    paul.get_by_role("button", name="Organisatie aanmelden").click()
    expect(paul.get_by_role("heading", level=1)).to_have_text("Buurthuis De Kooi")
    a11y.check(paul)
    paul.get_by_role("link", name="Nieuw vraagstuk").click()
    a11y.check(paul)
    paul.get_by_label("Titel").fill(CHALLENGE)
    paul.get_by_label("Je vraag (niet verplicht)").fill(
        "Veel ouderen in De Kooi eten alleen. Hoe maken we samen met hen een wekelijkse maaltijd?"
    )
    paul.get_by_label("Voor wie is het?").fill("Ouderen die alleen wonen in De Kooi")
    paul.get_by_role("group", name="Thema's").get_by_label("Eenzaamheid").check()
    paul.get_by_role("group", name="Wijken").get_by_label("Leiden-Noord").check()
    paul.get_by_label("Contactpersoon (niet verplicht)", exact=True).fill("Paul Bakker")
    paul.get_by_label("E-mailadres van de contactpersoon").fill("paul@buurthuisdekooi.nl")
    paul.get_by_label("Waar kunnen studenten werken?").fill("In het buurthuis, Kooilaan 1")
    paul.get_by_label("Uren per week dat je studenten kunt begeleiden").fill("4")
    paul.get_by_label("Hoeveel werk is het voor studenten?").select_option(label="Middel")
    checklist = paul.get_by_role("group", name="Checklist")
    for box in checklist.get_by_role("checkbox").all():
        box.check()
    paul.get_by_role("button", name="Opslaan en indienen").click()
    expect(paul.get_by_role("heading", level=1)).to_have_text(CHALLENGE)
    a11y.check(paul)

    # The coordinator logs in and goes to the admin.
    cora = new_context().new_page()
    cora.goto("/")
    a11y.check(cora)
    log_in(cora, a11y, DUTCH, email="cora@lerenmetdestad.nl", password=PASSWORD)
    a11y.check(cora)
    menu(cora, DUTCH).get_by_role("link", name="Beheer").click()
    a11y.check(cora)
    admin_index_link(cora, "Organisaties en vraagstukken", "Maatschappelijke organisaties").click()
    a11y.check(cora)
    admin_action(cora, a11y, "Buurthuis De Kooi", "Gekozen organisaties goedkeuren")
    expect(cora.locator(".messagelist")).to_have_text(
        "1 organisatie goedgekeurd. De beheerders krijgen een e-mail."
    )

    # She asks the partner a question about the challenge.
    sidebar_link(cora, "Organisaties en vraagstukken", "Vraagstukken").click()
    a11y.check(cora)
    admin_action(cora, a11y, CHALLENGE, "Om meer informatie vragen")
    cora.get_by_label("Bericht aan de organisatie").fill(QUESTION)
    cora.get_by_role("button", name="Om meer informatie vragen").click()
    a11y.check(cora)

    # The partner reads the question on the challenge, answers it and submits again.
    paul.reload()
    a11y.check(paul)
    expect(paul.locator(".badge")).to_have_text("Meer informatie nodig")
    conversation = paul.get_by_role("region", name="Gesprek")
    expect(conversation.get_by_role("listitem").last).to_contain_text(QUESTION)
    conversation.get_by_label("Je bericht").fill(ANSWER)
    conversation.get_by_role("button", name="Versturen").click()
    a11y.check(paul)
    paul.get_by_role("button", name="Opnieuw indienen").click()
    a11y.check(paul)
    expect(paul.locator(".badge")).to_have_text("Ingediend")

    # The coordinator reads the answer on the challenge and accepts it.
    cora.reload()
    a11y.check(cora)
    cora.get_by_role("link", name=CHALLENGE, exact=True).click()
    a11y.check(cora)
    expect(cora.locator("#content")).to_contain_text(ANSWER)
    save_screenshot(cora, "admin-challenge")
    breadcrumbs = cora.get_by_role("navigation", name="Broodkruimels")
    breadcrumbs.get_by_role("link", name="Vraagstukken", exact=True).click()
    a11y.check(cora)
    admin_action(cora, a11y, CHALLENGE, "Accepteren")
    cora.get_by_role("button", name="Accepteren").click()
    a11y.check(cora)
    expect(cora.locator(".messagelist")).to_have_text("Accepteren: 1 vraagstuk(ken) klaar.")

    paul.reload()
    a11y.check(paul)
    expect(paul.locator(".badge")).to_have_text("Geaccepteerd")
    # With one organisation, "Mijn organisatie" is its dashboard.
    menu(paul, DUTCH).get_by_role("link", name="Mijn organisatie").click()
    a11y.check(paul)
    challenges = paul.get_by_role("region", name="Vraagstukken")
    expect(challenges.get_by_role("row").nth(1).get_by_role("cell").nth(1)).to_have_text(
        "Geaccepteerd"
    )
    save_screenshot(paul, "partner-dashboard")

    # She makes a project from the challenge.
    sidebar_link(cora, "Projecten", "Projecten").click()
    a11y.check(cora)
    cora.get_by_role("link", name="project toevoegen").click()
    a11y.check(cora)
    cora.get_by_role("link", name=re.compile(f"“{CHALLENGE}”")).click()
    a11y.check(cora)
    # The form is filled in from the challenge; she adds the day.
    expect(cora.get_by_label("Titel:")).to_have_value(CHALLENGE)
    # The filter box of Django's two-list widget is named by the span axe objects to
    # (the ADMIN_ALLOWED entry in tests/e2e/a11y.py): screen readers do hear its purpose.
    expect(
        cora.get_by_role("textbox", name="Typ in dit vak om de lijst met beschikbare thema's")
    ).to_have_count(1)
    cora.get_by_role("group", name="dagen:").get_by_label("dinsdag").check()
    cora.get_by_role("button", name="Opslaan", exact=True).click()
    a11y.check(cora)
    expect(cora.locator(".messagelist")).to_contain_text(CHALLENGE)

    # She plans its first group and opens registration.
    sidebar_link(cora, "Projecten", "Groepen").click()
    a11y.check(cora)
    cora.get_by_role("link", name="groep toevoegen").click()
    a11y.check(cora)
    today = timezone.localdate()
    starts = today + timedelta(days=21 - today.weekday())  # a Monday three weeks ahead
    cora.get_by_label("Project:").select_option(label=CHALLENGE)
    cora.get_by_label("Begint:").fill(f"{starts:%d-%m-%Y}")
    cora.get_by_label("Eindigt:").fill(f"{starts + timedelta(weeks=8, days=-3):%d-%m-%Y}")
    for group, day, time in [
        ("Aanmelding gaat open:", today, "00:00"),
        ("Aanmelding sluit:", today + timedelta(days=7), "23:59"),
    ]:
        cora.get_by_role("group", name=group).get_by_label("Datum:").fill(f"{day:%d-%m-%Y}")
        cora.get_by_role("group", name=group).get_by_label("Tijd:").fill(time)
    cora.get_by_label("Plaatsen:").fill("6")
    cora.get_by_role("button", name="Opslaan", exact=True).click()
    a11y.check(cora)
    admin_action(cora, a11y, CHALLENGE, "Aanmelding openen")
    expect(cora.get_by_role("heading", level=1)).to_have_text("Aanmelding openen")
    cora.get_by_role("button", name="Aanmelding openen").click()
    a11y.check(cora)
    row = cora.get_by_role("row").filter(has=cora.get_by_role("rowheader", name=CHALLENGE))
    expect(row.get_by_role("cell", name="Open voor aanmelding", exact=True)).to_have_count(1)

    cohort = Cohort.objects.get(project__title=CHALLENGE)
    assert (cohort.number, cohort.state, cohort.max_size, cohort.starts_on) == (
        1,
        CohortState.OPEN,
        6,
        starts,
    )
    # A challenge with a project is under way.
    assert Challenge.objects.get(title=CHALLENGE).state == ChallengeState.IN_PROGRESS
