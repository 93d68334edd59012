"""One journey with the keyboard alone: Tab, Shift+Tab, Enter, Space and typing, never a click.

A student arrives on the home page, tries the skip link, goes back up to the main menu,
opens the projects, searches and filters, opens a project, logs in (first with a wrong
password) and joins a group. At each step the test asks where focus is and whether the
focus ring shows, as a keyboard user would see it.
"""

import pytest
from playwright.sync_api import Page, expect

from projects.enums import EnrolmentState
from projects.models import Enrolment
from tests.factories import PASSWORD, StudentFactory, ThemeFactory
from tests.projects.factories import CohortFactory, ProjectFactory

pytestmark = [pytest.mark.e2e]

# What a keyboard user reads on the focused element (its label, its text or its value), and
# whether it shows the focus ring. A card's title link rings the whole card it makes
# clickable (main.css), so for that link the card's outline is the one to look at.
FOCUSED = """() => {
  const el = document.activeElement;
  const name = el.getAttribute("aria-label")
    || (el.labels && el.labels.length ? el.labels[0].innerText : "")
    || el.innerText || el.value || "";
  const ringed = el.closest(".card__title") ? el.closest(".card") : el;
  const style = getComputedStyle(ringed);
  return {
    name: name.replace(/\\s+/g, " ").trim(),
    tag: el.tagName.toLowerCase(),
    id: el.id,
    ring: el.matches(":focus-visible")
      && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""
MAX_STEPS = 60  # more Tab presses than any page here needs to reach a control


def focused(page: Page) -> dict:
    return page.evaluate(FOCUSED)


def press_until(page: Page, key: str, name: str) -> list[str]:
    """Press `key` until the focused element is named `name`; the names passed on the way.

    Every stop must show the focus ring: a stop without one is a place where a keyboard
    user loses track of where they are.
    """
    passed = []
    for _ in range(MAX_STEPS):
        page.keyboard.press(key)
        now = focused(page)
        assert now["ring"], f"no visible focus on {now}"
        passed.append(now["name"])
        if now["name"] == name:
            return passed
    raise AssertionError(f"{name!r} not reached with {key}; passed {passed}")


def expect_page(page: Page, a11y, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    a11y.check(page)


@pytest.fixture
def scene():
    loneliness = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")
    green = ThemeFactory(name="Duurzaamheid", slug="duurzaamheid")
    reading = ProjectFactory(
        title="Voorlezen in de wijk",
        summary="Studenten lezen elke woensdag voor aan ouderen in Leiden-Noord.",
        themes=[loneliness],
    )
    CohortFactory(project=reading, number=1)
    for title, theme in (("Koffie met buren", loneliness), ("Groene daken", green)):
        CohortFactory(
            project=ProjectFactory(title=title, summary="Samen aan de slag.", themes=[theme])
        )
    student = StudentFactory(name="Sanne Student", email="sanne@student.hsleiden.nl")
    return reading, student


def test_student_finds_a_project_logs_in_and_joins_with_the_keyboard_alone(page, a11y, scene):
    reading, student = scene
    page.goto("/")
    a11y.check(page)

    # The first Tab stop is the skip link, shown on focus; Enter moves focus to the content.
    page.keyboard.press("Tab")
    assert focused(page) == {"name": "Naar de inhoud", "tag": "a", "id": "", "ring": True}
    assert page.get_by_role("link", name="Naar de inhoud").bounding_box()["y"] == 0
    page.keyboard.press("Enter")
    assert (focused(page)["tag"], focused(page)["id"]) == ("main", "inhoud")

    # Back up from the content, through the header, to the main menu's "Projecten".
    assert press_until(page, "Shift+Tab", "Projecten") == [
        "English",
        "Aanmelden",
        "Inloggen",
        "Meet & Match",
        "Kennis",
        "Projecten",
    ]
    page.keyboard.press("Enter")
    expect_page(page, a11y, "Zoek een project")

    # Search and filter: type in the search box, tick a theme with Space, send with Enter.
    press_until(page, "Tab", "Zoeken")
    page.keyboard.type("voorlezen")
    press_until(page, "Tab", "Eenzaamheid")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Eenzaamheid")).to_be_checked()
    press_until(page, "Tab", "Projecten tonen")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 project voor “voorlezen”")).to_be_visible()
    a11y.check(page)
    assert page.locator("#results .card__title").all_inner_texts() == ["Voorlezen in de wijk"]

    # The project, and its group's "log in to join".
    press_until(page, "Tab", "Voorlezen in de wijk")
    page.keyboard.press("Enter")
    expect_page(page, a11y, "Voorlezen in de wijk")
    press_until(page, "Tab", "Log in om mee te doen")
    page.keyboard.press("Enter")
    expect_page(page, a11y, "Inloggen")

    # A wrong password first: the error is announced (role=alert) and nothing is lost.
    press_until(page, "Tab", "E-mailadres")
    page.keyboard.type(student.email)
    press_until(page, "Tab", "Wachtwoord")
    page.keyboard.type("niet-mijn-wachtwoord")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "Het door jou opgegeven e-mailadres en/of wachtwoord is niet correct."
    )
    # The error takes focus as the page loads, so the next Tab is the form's first field.
    assert (
        focused(page)["name"]
        == "Het door jou opgegeven e-mailadres en/of wachtwoord is niet correct."
    )
    a11y.check(page)
    expect(page.get_by_label("E-mailadres")).to_have_value(student.email)
    # The password's help text offers its reset link before the field.
    assert press_until(page, "Tab", "Wachtwoord") == [
        "E-mailadres",
        "Wachtwoord vergeten?",
        "Wachtwoord",
    ]
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # Back on the project, logged in: join the group with Space on its button.
    expect_page(page, a11y, "Voorlezen in de wijk")
    press_until(page, "Tab", "Doe mee met deze groep Voorlezen in de wijk, groep 1")
    page.keyboard.press("Space")
    expect_page(page, a11y, "Mijn projecten")
    expect(page.get_by_role("status")).to_have_text("Je hebt een plek in deze groep. Welkom!")
    enrolment = Enrolment.objects.get(student=student)
    assert (enrolment.cohort.project, enrolment.state) == (reading, EnrolmentState.MEMBER)
