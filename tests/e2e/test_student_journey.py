"""A student finds a project, sees why it fits, joins it and sees it under "Mijn projecten";
a second student waits on the list and gets the place when the first one leaves.

In Dutch, in English (switched with the header's language button, as a person would), and
in Dutch on a phone-sized screen.
"""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from accounts.enums import InstitutionKind
from projects.enums import EnrolmentState
from projects.models import Enrolment
from tests.e2e.people import log_in, menu, sign_up
from tests.e2e.screenshots import PHONE_BROWSER, save_screenshot
from tests.e2e.words import DUTCH, ENGLISH, Words
from tests.factories import (
    PASSWORD,
    InstitutionEmailDomainFactory,
    NeighbourhoodFactory,
    StudentFactory,
    StudentProfileFactory,
    ThemeFactory,
)
from tests.partners.factories import OrganisationFactory
from tests.projects.factories import ChallengeFactory, CohortFactory, ProjectFactory

pytestmark = [pytest.mark.e2e]

PROJECT = "Samen eten in de Kooi"


@dataclass(frozen=True)
class StudentWords:
    site: Words
    complete_profile: str
    programme: str
    themes: str
    days: str
    tuesday: str
    save: str
    projects: str
    recommended: str
    why_it_fits: str
    search: str
    theme: str
    neighbourhood: str
    show_projects: str
    one_found: str
    join: str
    joined: str
    join_waitlist: str
    on_waitlist: str
    my_projects: str
    member: str
    waitlisted: str
    waitlist_number: str
    leave: str
    left: str
    withdrawn: str


STUDENT_WORDS = {
    "nl": StudentWords(
        site=DUTCH,
        complete_profile="Mijn profiel afmaken",
        programme="Opleiding",
        themes="Thema's die je belangrijk vindt",
        days="Dagen waarop je kunt",
        tuesday="dinsdag",
        save="Opslaan",
        projects="Projecten",
        recommended="Aanbevolen voor jou",
        why_it_fits="Past bij je thema eenzaamheid; op dinsdag",
        search="Zoeken",
        theme="Thema",
        neighbourhood="Wijk",
        show_projects="Projecten tonen",
        one_found="1 project voor “eten”",
        join="Doe mee met deze groep",
        joined="Je hebt een plek in deze groep. Welkom!",
        join_waitlist="Zet me op de wachtlijst",
        on_waitlist="De groep is vol. Je staat op de wachtlijst, op nummer 1.",
        my_projects="Mijn projecten",
        member="Lid",
        waitlisted="Op de wachtlijst",
        waitlist_number="nummer 1 op de wachtlijst",
        leave="Uit deze groep gaan",
        left="Je bent uit de groep gegaan.",
        withdrawn="Teruggetrokken",
    ),
    "en": StudentWords(
        site=ENGLISH,
        complete_profile="Complete my profile",
        programme="Programme",
        themes="Themes you care about",
        days="Days you are available",
        tuesday="Tuesday",
        save="Save",
        projects="Projects",
        recommended="Recommended for you",
        why_it_fits="Fits your theme eenzaamheid; on Tuesday",
        search="Search",
        theme="Theme",
        neighbourhood="Neighbourhood",
        show_projects="Show projects",
        one_found="1 project for “eten”",
        join="Join this group",
        joined="You have a place in this group. Welcome!",
        join_waitlist="Join the waiting list",
        on_waitlist="The group is full: you are on the waiting list, number 1.",
        my_projects="My projects",
        member="Member",
        waitlisted="On the waiting list",
        waitlist_number="number 1 on the waiting list",
        leave="Leave this group",
        left="You have left the group.",
        withdrawn="Withdrawn",
    ),
}

WAYS = {
    # way: (language, on a phone, the pages it takes the README's screenshots of)
    "dutch": ("nl", False, {"home", "projects", "project", "my-projects"}),
    "english": ("en", False, set()),
    "phone": ("nl", True, {"project"}),
}


@pytest.fixture
def projects_on_offer():
    """Three open projects; only one fits the student's theme, day and search, and it has
    a single place, so the second student waits."""
    InstitutionEmailDomainFactory(
        domain="student.hsleiden.nl",
        institution__name="Hogeschool Leiden",
        institution__kind=InstitutionKind.HBO,
    )
    north = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    house = OrganisationFactory(name="Buurthuis De Kooi", slug="buurthuis-de-kooi")
    library = OrganisationFactory(name="BplusC Bibliotheek", slug="bplusc")
    offers = [
        (
            PROJECT,
            "Een wekelijkse maaltijd waar buren elkaar leren kennen.",
            ("eenzaamheid", "Eenzaamheid"),
            house,
            [2],
            1,
        ),
        (
            "Voorlezen in de bibliotheek",
            "Kinderen en ouders lezen samen; studenten helpen bij het voorlezen.",
            ("laaggeletterdheid", "Laaggeletterdheid"),
            library,
            [3],
            6,
        ),
        (
            "Repair Café Morskwartier",
            "Samen spullen repareren in plaats van weggooien.",
            ("duurzaamheid", "Duurzaamheid"),
            house,
            [4],
            5,
        ),
    ]
    for title, summary, (slug, name), organisation, weekdays, places in offers:
        project = ProjectFactory(
            challenge=ChallengeFactory(organisation=organisation),
            organisations=[organisation],
            title=title,
            summary=summary,
            themes=[ThemeFactory(slug=slug, name=name)],
            neighbourhood=north,
            weekdays=weekdays,
        )
        CohortFactory(project=project, max_size=places)


def open_browser(new_context, phone: bool) -> Page:
    return (new_context(**PHONE_BROWSER) if phone else new_context()).new_page()


def choose_language(page: Page, a11y, words: StudentWords) -> None:
    """Dutch is the site's own language; for English the person presses the header button."""
    if words.site is ENGLISH:
        page.get_by_role("button", name=ENGLISH.switch_language).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        a11y.check(page)


def open_my_projects(page: Page, a11y, words: StudentWords) -> None:
    menu(page, words.site).get_by_role("link", name=words.my_projects).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words.my_projects)
    a11y.check(page)


def card_of(scope: Page | Locator, title: str) -> Locator:
    """The card (a list item) whose heading is the project's title."""
    page = scope if isinstance(scope, Page) else scope.page
    return scope.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title))


@pytest.mark.parametrize("way", list(WAYS))
def test_student_finds_joins_and_a_waiting_student_is_promoted(
    new_context, a11y, projects_on_offer, way
):
    language, phone, shots = WAYS[way]
    words = STUDENT_WORDS[language]

    def screenshot(page: Page, name: str) -> None:
        if name in shots:
            save_screenshot(page, f"{name}-phone" if phone else name)

    sanne = open_browser(new_context, phone)

    # Sanne signs up and says what she studies, which themes she cares about and her days.
    sanne.goto("/")
    a11y.check(sanne)
    screenshot(sanne, "home")
    choose_language(sanne, a11y, words)
    sign_up(
        sanne,
        a11y,
        words.site,
        name="Sanne de Vries",
        email="sanne@student.hsleiden.nl",
        role="Student",
        password=PASSWORD,
    )
    a11y.check(sanne)
    sanne.get_by_role("link", name=words.complete_profile).click()
    a11y.check(sanne)
    sanne.get_by_label(words.programme).fill("Social Work")
    sanne.get_by_role("group", name=words.themes).get_by_label("Eenzaamheid").check()
    sanne.get_by_role("group", name=words.days).get_by_label(words.tuesday).check()
    sanne.get_by_role("button", name=words.save).click()
    a11y.check(sanne)

    # The project list recommends the project that fits, and says why.
    menu(sanne, words.site).get_by_role("link", name=words.projects, exact=True).click()
    a11y.check(sanne)
    recommended = sanne.get_by_role("region", name=words.recommended)
    expect(card_of(recommended, PROJECT).get_by_role("paragraph").first).to_have_text(
        words.why_it_fits
    )
    screenshot(sanne, "projects")

    # She searches and filters, as she would without the recommendation.
    filters = sanne.get_by_role("search")
    filters.get_by_label(words.search).fill("eten")
    filters.get_by_role("group", name=words.theme).get_by_label("Eenzaamheid").check()
    filters.get_by_label(words.neighbourhood).select_option(label="Leiden-Noord")
    filters.get_by_role("button", name=words.show_projects).click()
    a11y.check(sanne)
    results = sanne.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text(words.one_found)
    expect(results.get_by_role("heading", level=3)).to_have_text([PROJECT])

    # She opens the project and joins its group.
    results.get_by_role("link", name=PROJECT).click()
    expect(sanne.get_by_role("heading", level=1)).to_have_text(PROJECT)
    a11y.check(sanne)
    screenshot(sanne, "project")
    sanne.get_by_role("button", name=re.compile(f"^{words.join}")).click()
    expect(sanne.get_by_role("status")).to_have_text(words.joined)
    a11y.check(sanne)
    open_my_projects(sanne, a11y, words)
    expect(card_of(sanne, PROJECT).locator(".badge")).to_have_text(words.member)
    screenshot(sanne, "my-projects")

    # Daan, already a student here (his profile speaks his language), finds the group full
    # and joins the waiting list.
    StudentProfileFactory(
        user=StudentFactory(
            name="Daan Jansen", email="daan@student.hsleiden.nl", language=language, profile=None
        ),
        programme="Pedagogiek",
    )
    daan = open_browser(new_context, phone)
    daan.goto("/")
    a11y.check(daan)
    choose_language(daan, a11y, words)
    log_in(daan, a11y, words.site, email="daan@student.hsleiden.nl", password=PASSWORD)
    a11y.check(daan)
    menu(daan, words.site).get_by_role("link", name=words.projects, exact=True).click()
    a11y.check(daan)
    daan.locator("#results").get_by_role("link", name=PROJECT).click()
    a11y.check(daan)
    daan.get_by_role("button", name=re.compile(f"^{words.join_waitlist}")).click()
    expect(daan.get_by_role("status")).to_have_text(words.on_waitlist)
    a11y.check(daan)
    open_my_projects(daan, a11y, words)
    expect(card_of(daan, PROJECT).get_by_role("paragraph").first).to_have_text(
        f"{words.waitlisted} · {words.waitlist_number}"
    )

    # Sanne leaves the group; the place goes to Daan.
    card_of(sanne, PROJECT).get_by_role("button", name=words.leave).click()
    expect(sanne.get_by_role("status")).to_have_text(words.left)
    a11y.check(sanne)
    daan.reload()
    a11y.check(daan)
    expect(card_of(daan, PROJECT).locator(".badge")).to_have_text(words.member)

    assert sorted(
        Enrolment.objects.filter(cohort__project__title=PROJECT).values_list(
            "student__name", "state"
        )
    ) == [("Daan Jansen", EnrolmentState.MEMBER), ("Sanne de Vries", EnrolmentState.WITHDRAWN)]
