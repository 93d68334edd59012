"""Recommendations on the pages: for students (dashboard and /projecten), for coordinators
(a challenge's admin page) and for researchers (dashboard)."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.enums import InstitutionKind, Position
from accounts.models import ResearcherProfile, StudentProfile
from matching.recommendations import MAX_PROJECTS, recommended_projects
from partners.enums import ChallengeState, CslLevel
from projects.enums import CohortState, EnrolmentState, ProjectLanguage
from projects.models import CohortPreference
from projects.services.enrolment import eligibility_problem
from tests.factories import (
    CoordinatorFactory,
    InstitutionFactory,
    NeighbourhoodFactory,
    ResearcherFactory,
    StudentFactory,
    ThemeFactory,
    UserFactory,
)
from tests.partners.challenge_setup import speaks_english
from tests.projects.factories import (
    ChallengeFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
    _monday_in,
)
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DASHBOARD = "/mijn/"
SECTION = re.compile(
    r'<section class="(?:recommendations|module aligned)" aria-labelledby="(?P<id>[\w-]+)">'
    r"(?P<body>.*?)</section>",
    re.DOTALL,
)
PROJECT_CARD = re.compile(
    r'<h3 class="card__title"><a href="(?P<url>[^"]+)">(?P<title>[^<]+)</a></h3>\s*'
    r"<p>(?P<reasons>[^<]*)</p>"
)
CHALLENGE_CARD = re.compile(
    r'<p class="card__kicker">(?P<organisation>[^<]*)</p>\s*'
    r'<h3 class="card__title">(?P<title>[^<]*)</h3>\s*<p>[^<]*</p>\s*<p>(?P<reasons>[^<]*)</p>'
)
RESEARCHER_ROW = re.compile(
    r'<a href="/beheer/accounts/user/\d+/change/">(?P<name>[^<]+)</a>'
    r"(?P<rest>.*?)</li>",
    re.DOTALL,
)


def sections(response) -> dict[str, str]:
    """The matching blocks on a page, by the id of their heading."""
    assert response.status_code == 200
    return {m["id"]: m["body"] for m in SECTION.finditer(response.text)}


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def recommended(response) -> list[tuple[str, str, str]]:
    """(title, link, reasons) of each recommended project, in the order shown."""
    body = sections(response)["recommended-title"]
    return [
        (html.unescape(m["title"]), m["url"], html.unescape(m["reasons"]))
        for m in PROJECT_CARD.finditer(body)
    ]


@pytest.fixture
def sanne(student):
    """The standard student, in English, with themes, days and a language."""
    speaks_english(student)
    profile = student.student_profile
    profile.programme = "Toegepaste Psychologie"
    profile.weekdays = [2, 3]
    profile.languages = ["nl"]
    profile.save()
    profile.themes.set([eenzaamheid(), vergrijzing()])
    return student


def eenzaamheid():
    return ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")


def vergrijzing():
    return ThemeFactory(slug="vergrijzing", name="Vergrijzing")


def sport():
    return ThemeFactory(slug="sport", name="Sport")


def open_project(title: str, *, themes, cohort=None, **fields):
    project = ProjectFactory(title=title, themes=themes, **fields)
    CohortFactory(project=project, **(cohort or {}))
    return project


# --- Students ------------------------------------------------------------------------------


def test_dashboard_recommends_open_projects_best_first_with_their_reasons(client, sanne):
    open_project("Taalcafé", themes=[eenzaamheid()], weekdays=[4])
    buurtkamer = open_project(
        "Buurtkamer voor ouderen",
        themes=[eenzaamheid(), vergrijzing()],
        summary="Psychologie van eenzaamheid in de wijk.",
    )
    open_project("Sportpark", themes=[sport()])
    client.force_login(sanne)

    response = client.get(DASHBOARD)

    assert recommended(response) == [
        (
            "Buurtkamer voor ouderen",
            buurtkamer.get_absolute_url(),
            (
                "Fits your themes eenzaamheid and vergrijzing; about psychologie, like your "
                "programme; on Tuesday; in Dutch"
            ),
        ),
        ("Taalcafé", "/projecten/taalcafe/", "Fits your theme eenzaamheid; in Dutch"),
    ]


def test_recommendations_show_the_soonest_group_once_with_places_and_the_vog(client, sanne):
    project = ProjectFactory(
        title="Bezoekdienst", themes=[eenzaamheid()], works_with_vulnerable_residents=True
    )
    later = CohortFactory(project=project, starts_on=_monday_in(6))
    sooner = CohortFactory(project=project, starts_on=_monday_in(2), max_size=4)
    EnrolmentFactory(cohort=sooner)
    EnrolmentFactory(cohort=later)
    client.force_login(sanne)

    body = text(sections(client.get(DASHBOARD))["recommended-title"])

    day = sooner.starts_on
    assert body == (
        "Recommended for you Groups you can join now, best fit first. Bezoekdienst "
        f"Fits your theme eenzaamheid; on Tuesday; in Dutch Next group {day.day} "
        f"{day.strftime('%B')} {day.year} Places 3 places left Good to know: for this project "
        "you need a certificate of conduct (VOG)."
    )


def test_groups_the_student_may_not_or_cannot_join_are_not_recommended(client, sanne):
    themes = [eenzaamheid()]
    open_project("Past", themes=themes)
    open_project("Alleen mbo", themes=themes, institution_kinds=[InstitutionKind.MBO])
    full = open_project("Vol", themes=themes, cohort={"max_size": 1})
    EnrolmentFactory(cohort=full.cohorts.get())
    mine = open_project("Al aangemeld", themes=themes)
    EnrolmentFactory(cohort=mine.cohorts.get(), student=sanne, state=EnrolmentState.WAITLISTED)
    ranked = open_project("Gerangschikt", themes=themes, cohort={"admission_mode": "preference"})
    CohortPreference.objects.create(student=sanne, cohort=ranked.cohorts.get(), rank=1)
    future = timezone.now() + timedelta(days=2)
    open_project(
        "Nog niet open",
        themes=themes,
        cohort={"registration_opens_at": future, "registration_closes_at": future + timedelta(1)},
    )
    open_project("Gepland", themes=themes, cohort={"state": CohortState.PLANNED})
    open_project("Gesloten", themes=themes, cohort={"state": CohortState.CLOSED})
    client.force_login(sanne)

    assert [title for title, _url, _why in recommended(client.get(DASHBOARD))] == ["Past"]


def test_a_second_intensive_project_at_the_same_time_is_not_recommended(client, sanne):
    themes = [eenzaamheid()]
    current = open_project("Intensief nu", themes=themes, csl_level=CslLevel.INTENSIVE)
    EnrolmentFactory(cohort=current.cohorts.get(), student=sanne)
    clash = open_project("Intensief tegelijk", themes=themes, csl_level=CslLevel.INTENSIVE)
    later = open_project(
        "Intensief later",
        themes=themes,
        csl_level=CslLevel.INTENSIVE,
        cohort={"starts_on": _monday_in(12)},
    )
    open_project("Licht tegelijk", themes=themes, csl_level=CslLevel.LOW)
    client.force_login(sanne)

    shown = [title for title, _url, _why in recommended(client.get(DASHBOARD))]

    # Equal scores: the sooner group first.
    assert shown == ["Licht tegelijk", "Intensief later"]
    # The same rule as joining: what is recommended can be joined, the clash cannot.
    assert (
        eligibility_problem(cohort=later.cohorts.get(), student=sanne, vog_confirmed=True) is None
    )
    assert eligibility_problem(cohort=clash.cohorts.get(), student=sanne, vog_confirmed=True)


def test_a_neighbourhood_the_student_worked_in_counts(client, sanne):
    kooi = NeighbourhoodFactory(slug="de-kooi", name="De Kooi")
    started = timezone.localdate() - timedelta(weeks=10)
    earlier = ProjectFactory(title="Eerder", themes=[eenzaamheid()], neighbourhood=kooi)
    done = CohortFactory(
        project=earlier,
        state=CohortState.COMPLETED,
        starts_on=started,
        ends_on=started + timedelta(weeks=8),
        registration_opens_at=timezone.now() - timedelta(weeks=14),
        registration_closes_at=timezone.now() - timedelta(weeks=11),
    )
    EnrolmentFactory(cohort=done, student=sanne, state=EnrolmentState.COMPLETED)
    open_project("In de Merenwijk", themes=[eenzaamheid()], weekdays=[5])
    open_project("In De Kooi", themes=[eenzaamheid()], weekdays=[5], neighbourhood=kooi)
    client.force_login(sanne)

    assert [(title, why) for title, _url, why in recommended(client.get(DASHBOARD))] == [
        ("In De Kooi", "Fits your theme eenzaamheid; in Dutch; in De Kooi, which you already know"),
        ("In de Merenwijk", "Fits your theme eenzaamheid; in Dutch"),
    ]


def test_at_most_five_projects_are_recommended(client, sanne):
    for n in range(MAX_PROJECTS + 2):
        open_project(f"Project {n}", themes=[eenzaamheid()])
    client.force_login(sanne)

    assert len(recommended(client.get(DASHBOARD))) == MAX_PROJECTS == 5


def test_a_student_without_themes_is_asked_to_fill_in_their_profile(client, student):
    speaks_english(student)
    open_project("Buurtkamer", themes=[eenzaamheid()])
    client.force_login(student)

    body = sections(client.get(DASHBOARD))["recommended-title"]

    assert text(body) == (
        "Recommended for you Tell us which themes interest you and where you study. Then we "
        "show you here the projects that fit you. Choose my themes"
    )
    assert f'href="{reverse("accounts:profile")}"' in body


def test_a_student_without_a_school_is_asked_to_fill_in_their_profile(client, sanne):
    StudentProfile.objects.filter(user=sanne).update(institution=None, level="")
    open_project("Buurtkamer", themes=[eenzaamheid()])
    client.force_login(sanne)

    body = text(sections(client.get(DASHBOARD))["recommended-title"])

    assert body.endswith("Choose my themes")


def test_when_nothing_fits_the_student_reads_so(client, sanne):
    open_project("Sportpark", themes=[sport()])
    client.force_login(sanne)

    body = text(sections(client.get(DASHBOARD))["recommended-title"])

    assert body == (
        "Recommended for you No open group fits your themes or your studies right now. New "
        "groups open often: look again later, or add themes to your profile. Edit your name "
        "and profile"
    )


def test_discovery_page_shows_recommendations_above_the_results(client, sanne):
    open_project("Buurtkamer", themes=[eenzaamheid()])
    client.force_login(sanne)

    response = client.get(reverse("projects:list"))

    assert recommended(response) == [
        (
            "Buurtkamer",
            "/projecten/buurtkamer/",
            "Fits your theme eenzaamheid; on Tuesday; in Dutch",
        )
    ]
    assert response.text.index("recommended-title") < response.text.index("results-title")


def test_discovery_page_leaves_recommendations_out_when_searching_or_filtering(client, sanne):
    open_project("Buurtkamer", themes=[eenzaamheid()])
    client.force_login(sanne)

    assert sections(client.get(reverse("projects:list") + "?q=buurt")) == {}
    assert sections(client.get(reverse("projects:list") + "?theme=eenzaamheid")) == {}


@pytest.mark.parametrize("who", ["anonymous", "partner_member", "researcher", "coordinator"])
def test_only_students_see_recommended_projects(client, who, request):
    open_project("Buurtkamer", themes=[eenzaamheid()])
    if who != "anonymous":
        sign_in_for_admin(client, request.getfixturevalue(who))

    assert "recommended-title" not in sections(client.get(reverse("projects:list")))
    if who != "anonymous":
        assert "recommended-title" not in sections(client.get(DASHBOARD))


def test_a_student_without_a_profile_sees_nothing_extra_on_the_discovery_page(client):
    student = StudentFactory(profile=None)
    open_project("Buurtkamer", themes=[eenzaamheid()])
    client.force_login(student)

    assert sections(client.get(reverse("projects:list"))) == {}
    assert recommended_projects(student=student, now=timezone.now()) is None


def seed_open_projects(count: int, student) -> None:
    themes = [eenzaamheid(), vergrijzing()]
    hood = NeighbourhoodFactory(slug="leiden-noord", name="Leiden-Noord")
    for n in range(count):
        project = ProjectFactory(title=f"Samen {n}", themes=themes, neighbourhood=hood)
        cohort = CohortFactory(project=project)
        EnrolmentFactory(cohort=cohort)
        CohortFactory(project=project, starts_on=_monday_in(8))
    # Some history, so every branch of the reading runs.
    EnrolmentFactory(
        cohort=CohortFactory(project=ProjectFactory(themes=[sport()])), student=student
    )


@pytest.mark.parametrize("count", [1, 30])
def test_dashboard_query_count_does_not_grow_with_projects(
    client, sanne, count, django_assert_num_queries
):
    seed_open_projects(count, sanne)
    client.force_login(sanne)

    # Seven for the page as it was (session, user, the profile's get_or_create in a savepoint
    # with its email-domain lookup, the institution shown); three for the recommendations:
    # the profile with its themes, the student's registrations, the candidate groups.
    with django_assert_num_queries(10):
        response = client.get(DASHBOARD)

    assert len(recommended(response)) == min(count, MAX_PROJECTS)


@pytest.mark.parametrize("count", [1, 30])
def test_discovery_query_count_for_a_student_does_not_grow_with_projects(
    client, sanne, count, django_assert_num_queries
):
    seed_open_projects(count, sanne)
    client.force_login(sanne)

    # Session and user; the four queries of the list (test_discovery.py); the three of the
    # recommendations.
    with django_assert_num_queries(9):
        response = client.get(reverse("projects:list"))

    assert len(recommended(response)) == min(count, MAX_PROJECTS)


# --- Coordinators: researchers who fit a challenge -----------------------------------------


def researcher_with(name: str, *, expertise: str, themes=(), **fields):
    user = ResearcherFactory(name=name, **fields)
    profile = user.researcher_profile
    profile.expertise = expertise
    profile.position = Position.LECTURER
    profile.save()
    profile.themes.set(themes)
    return user


def fitting_researchers_on_page(response) -> list[tuple[str, str]]:
    body = sections(response)["fitting-researchers-title"]
    return [(html.unescape(m["name"]), text(m["rest"])) for m in RESEARCHER_ROW.finditer(body)]


@pytest.fixture
def challenge():
    challenge = ChallengeFactory(
        title="Ouderen ontmoeten elkaar",
        question="Hoe zorgen we dat ouderen in De Kooi elkaar vaker zien?",
        state=ChallengeState.IN_REVIEW,
    )
    challenge.themes.set([eenzaamheid(), vergrijzing()])
    return challenge


def change_page(challenge) -> str:
    return reverse("admin:partners_challenge_change", args=[challenge.pk])


def test_coordinator_sees_researchers_who_fit_the_challenge_best_first(
    client, coordinator, challenge
):
    speaks_english(coordinator)
    institution = InstitutionFactory(name="Universiteit Leiden", kind=InstitutionKind.WO)
    researcher_with(
        "Bram Buur",
        expertise="Buurtsport",
        themes=[vergrijzing()],
        email="bram@example.org",
        profile__institution=institution,
    )
    researcher_with(
        "Anna Ouderen",
        expertise="Eenzaamheid onder ouderen",
        themes=[eenzaamheid(), vergrijzing()],
        email="anna@example.org",
        profile__institution=institution,
    )
    researcher_with("Sam Sport", expertise="Sportbeleid", themes=[sport()])
    researcher_with("Ina Actief", expertise="Ouderen", themes=[eenzaamheid()], is_active=False)
    UserFactory(name="Geen Profiel", role="researcher")
    sign_in_for_admin(client, coordinator)

    response = client.get(change_page(challenge))

    assert fitting_researchers_on_page(response) == [
        (
            "Anna Ouderen",
            (
                "(Lecturer, Universiteit Leiden), anna@example.org : Shares the themes "
                "eenzaamheid and vergrijzing; expertise in eenzaamheid and ouderen"
            ),
        ),
        (
            "Bram Buur",
            "(Lecturer, Universiteit Leiden), bram@example.org : Shares the theme vergrijzing",
        ),
    ]


def test_coordinator_reads_so_when_nobody_fits(client, coordinator, challenge):
    speaks_english(coordinator)
    researcher_with("Sam Sport", expertise="Sportbeleid", themes=[sport()])
    sign_in_for_admin(client, coordinator)

    body = text(sections(client.get(change_page(challenge)))["fitting-researchers-title"])

    assert body == (
        "Researchers and lecturers who fit No researcher or lecturer shares a theme or words "
        "of their expertise with this challenge yet."
    )


@pytest.mark.parametrize("count", [1, 20])
def test_challenge_page_query_count_does_not_grow_with_researchers(
    client, coordinator, challenge, count, django_assert_num_queries
):
    for n in range(count):
        researcher_with(f"Onderzoeker {n}", expertise="Ouderen", themes=[eenzaamheid()])
    sign_in_for_admin(client, coordinator)
    # Warm the caches that the first admin page of a test fills (content types, permissions).
    client.get(change_page(challenge))

    # The admin page as it was, and two for the researchers who fit: the challenge with its
    # themes, the researchers with theirs.
    with django_assert_num_queries(18):
        response = client.get(change_page(challenge))

    assert len(fitting_researchers_on_page(response)) == min(count, 10)


def test_fitting_researchers_are_shown_to_coordinators_only(challenge, partner_member):
    researcher_with("Anna Ouderen", expertise="Ouderen", themes=[eenzaamheid()])
    staff_but_not_coordinator = UserFactory(role="partner", is_staff=True)
    template = Template("{% load matching %}{% fitting_researchers challenge %}")

    def render(user) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return template.render(Context({"request": request, "challenge": challenge})).strip()

    assert "Anna Ouderen" in render(CoordinatorFactory())
    assert render(staff_but_not_coordinator) == ""
    assert render(partner_member) == ""
    assert render(AnonymousUser()) == ""


# --- Researchers: challenges that fit them -------------------------------------------------


@pytest.fixture
def rachid(researcher):
    speaks_english(researcher)
    profile = researcher.researcher_profile
    profile.expertise = "Eenzaamheid onder ouderen"
    profile.save()
    profile.themes.set([vergrijzing()])
    return researcher


def public_challenge(title: str, *, themes, **fields):
    challenge = ChallengeFactory(title=title, **({"is_public": True} | fields))
    challenge.themes.set(themes)
    return challenge


def test_researcher_sees_public_open_challenges_that_fit_best_first(client, rachid):
    public_challenge(
        "Wonen met zorg",
        themes=[vergrijzing()],
        question="Hoe blijven mensen langer thuis wonen?",
        state=ChallengeState.ACCEPTED,
    )
    public_challenge(
        "Ouderen ontmoeten elkaar",
        themes=[eenzaamheid(), vergrijzing()],
        question="Hoe zien ouderen elkaar vaker?",
    )
    public_challenge("Sportpark", themes=[sport()], question="Meer sport in de wijk?")
    public_challenge("Privé", themes=[vergrijzing()], is_public=False)
    public_challenge("Afgesloten", themes=[vergrijzing()], state=ChallengeState.CLOSED)
    public_challenge("Nog in review", themes=[vergrijzing()], state=ChallengeState.IN_REVIEW)
    sign_in_for_admin(client, rachid)

    body = sections(client.get(DASHBOARD))["fitting-challenges-title"]

    assert [(m["title"], html.unescape(m["reasons"])) for m in CHALLENGE_CARD.finditer(body)] == [
        (
            "Ouderen ontmoeten elkaar",
            "Fits your theme vergrijzing; about eenzaamheid and ouderen, like your expertise",
        ),
        ("Wonen met zorg", "Fits your theme vergrijzing"),
    ]


def test_researcher_without_themes_or_expertise_is_asked_to_fill_in_their_profile(
    client, researcher
):
    speaks_english(researcher)
    ResearcherProfile.objects.filter(user=researcher).update(expertise="")
    client.force_login(researcher)

    body = text(sections(client.get(DASHBOARD))["fitting-challenges-title"])

    assert body == (
        "Challenges that fit you Tell us your themes and what you know about. Then we show "
        "you here the challenges from the city that fit you. Complete my profile"
    )


@pytest.mark.parametrize("count", [1, 20])
def test_researcher_dashboard_query_count_does_not_grow_with_challenges(
    client, rachid, count, django_assert_num_queries
):
    for n in range(count):
        public_challenge(f"Vraagstuk {n}", themes=[vergrijzing()])
    sign_in_for_admin(client, rachid)

    # Seven for the page as it was (as for a student); two for the matches: the researcher's
    # profile with its themes, the challenges with their themes.
    with django_assert_num_queries(9):
        response = client.get(DASHBOARD)

    assert len(CHALLENGE_CARD.findall(sections(response)["fitting-challenges-title"])) == min(
        count, 5
    )


def test_students_and_partners_see_no_challenges_on_their_dashboard(client, sanne, partner_member):
    public_challenge("Ouderen", themes=[eenzaamheid()])
    for user in (sanne, partner_member):
        sign_in_for_admin(client, user)
        assert "fitting-challenges-title" not in sections(client.get(DASHBOARD))


def test_project_language_english_counts_for_a_student_who_works_in_english(client, sanne):
    StudentProfile.objects.filter(user=sanne).update(languages=["en"])
    open_project("In English", themes=[eenzaamheid()], language=ProjectLanguage.ENGLISH)
    client.force_login(sanne)

    assert recommended(client.get(DASHBOARD))[0][2] == (
        "Fits your theme eenzaamheid; on Tuesday; in English"
    )
