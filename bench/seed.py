"""Seed data for the discovery benchmark: Dutch projects, groups, students and enrolments,
written with bulk_create. Import only after django.setup() on the benchmark database."""

import random
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Institution, StudentProfile, User
from partners.models import Challenge, Neighbourhood, Organisation, Theme
from projects.models import Cohort, Enrolment, Project

BATCH = 2000

# --- Word lists for realistic Dutch projects ---------------------------------------------

THEMES = [
    ("Eenzaamheid", "eenzaamheid"),
    ("Laaggeletterdheid", "laaggeletterdheid"),
    ("Armoede en schulden", "armoede-en-schulden"),
    ("Gezondheid en bewegen", "gezondheid-en-bewegen"),
    ("Groen en klimaat", "groen-en-klimaat"),
    ("Wonen en buurt", "wonen-en-buurt"),
    ("Jongeren", "jongeren"),
    ("Ouderen", "ouderen"),
    ("Nieuwkomers", "nieuwkomers"),
    ("Cultuur en erfgoed", "cultuur-en-erfgoed"),
    ("Digitale vaardigheden", "digitale-vaardigheden"),
    ("Veiligheid", "veiligheid"),
]
NEIGHBOURHOODS = [
    "Leiden-Noord",
    "De Kooi",
    "Slaaghwijk",
    "Tuinstadwijk",
    "Merenwijk",
    "Stevenshof",
    "Boshuizen",
    "Roomburg",
    "Morsdistrict",
    "Binnenstad-Noord",
    "Binnenstad-Zuid",
    "Stationsdistrict",
    "Professorenwijk",
    "Transvaal",
    "Haagwegkwartier",
    "Zeeheldenbuurt",
]
COMPOUNDS = [
    "Buurtmoestuin",
    "Taalcafé",
    "Repaircafé",
    "Buurtkamer",
    "Huiswerkclub",
    "Wijkmoestuin",
    "Buurtbibliotheek",
    "Kookclub",
    "Wandelgroep",
    "Voorleesproject",
    "Buurtpreventie",
    "Klimaatstraat",
    "Geveltuinen",
    "Beweegtuin",
    "Jongerenraad",
    "Buurtbus",
    "Ontmoetingsplek",
    "Schuldhulpmaatje",
    "Speelstraat",
    "Computerspreekuur",
]
ACTIVITIES = [
    "Samen koken",
    "Samen wandelen",
    "Voorlezen",
    "Digitaal spreekuur",
    "Huiswerkbegeleiding",
    "Sporten",
    "Koffieochtend",
    "Tuinieren",
    "Muziek maken",
    "Schilderen",
    "Administratie op orde",
    "Fietsles",
    "Taallessen",
    "Verhalen ophalen",
    "Energie besparen",
]
GROUPS = [
    "ouderen",
    "jongeren",
    "nieuwkomers",
    "mantelzorgers",
    "buurtgenoten",
    "statushouders",
    "kinderen",
    "alleenstaande ouders",
    "bewoners",
    "studenten",
]
GOALS = [
    "Minder eenzaamheid in",
    "Meer groen in",
    "Schulden voorkomen in",
    "Gezond ouder worden in",
    "Samen sterker in",
    "Veilig thuis in",
    "Iedereen digitaal in",
    "Beter lezen en schrijven in",
]
PROBLEMS = [
    "Veel {group} in {hood} voelen zich eenzaam.",
    "In {hood} kunnen veel {group} moeilijk lezen en schrijven.",
    "Steeds meer {group} in {hood} hebben schulden.",
    "{Group} in {hood} bewegen te weinig.",
    "In {hood} is weinig groen en het wordt 's zomers heet.",
    "{Group} in {hood} weten niet waar ze hulp kunnen vinden.",
    "Veel {group} in {hood} kennen hun buren niet.",
]
PLANS = [
    "Studenten organiseren samen met {partner} wekelijkse ontmoetingen.",
    "Met {partner} zet je een plek op waar {group} elkaar zien.",
    "Je onderzoekt met bewoners wat er nodig is en maakt een plan.",
    "Samen met {partner} bedenk je activiteiten die echt helpen.",
    "Je praat met {group} en zoekt uit wat werkt in de wijk.",
]
DETAILS = [
    "Eenzaamheid en armoede gaan vaak samen; je leert hoe je mensen bereikt.",
    "Je werkt met vrijwilligers, de bibliotheek en het buurthuis.",
    "Aan het eind draag je het werk over aan de volgende groep.",
    "Je leert interviews houden en resultaten delen met de gemeente.",
    "Er is ruimte voor eigen ideeën: een moestuin, een kookclub of een wandelgroep.",
    "De ervaringen van oudere bewoners staan centraal.",
    "Je schrijft een kort advies voor de organisatie.",
]
PARTNER_KINDS = [
    ("Bibliotheek", "library"),
    ("Buurthuis", "welfare"),
    ("Stichting Welzijn", "welfare"),
    ("Woonstichting", "housing"),
    ("Bewonersinitiatief", "residents"),
    ("Zorgcentrum", "healthcare"),
    ("Basisschool", "school"),
]
FIRST_NAMES = ["Sanne", "Daan", "Fatima", "Noah", "Emma", "Mohammed", "Lotte", "Sem", "Yara"]
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "El Amrani", "Visser", "Smit", "Yilmaz", "Meijer"]


def seed(*, projects: int, enrolments: int, rng: random.Random) -> dict[str, int]:
    """Everything the discovery page reads, in one transaction; returns the row counts."""
    now = timezone.now()
    with transaction.atomic():
        connection.cursor().execute("SET LOCAL synchronous_commit TO OFF")
        themes = Theme.objects.bulk_create(Theme(name=n, slug=s) for n, s in THEMES)
        hoods = Neighbourhood.objects.bulk_create(
            Neighbourhood(name=n, slug=slugify(n)) for n in NEIGHBOURHOODS
        )
        challenges = _challenges(_organisations(hoods, now, rng), projects // 4, now, rng)
        students = _students(max(enrolments // 8, 50), rng)
        created = _projects(projects, challenges, themes, hoods, rng)
        cohorts = _cohorts(created, now, rng)
        _enrolments(cohorts, students, enrolments, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "projects": Project.objects.count(),
        "cohorts": Cohort.objects.count(),
        "open cohorts": Cohort.objects.filter(state="open").count(),
        "enrolments": Enrolment.objects.count(),
        "students": len(students),
    }


def _organisations(hoods, now: datetime, rng: random.Random) -> list[Organisation]:
    rows = []
    for n in range(300):
        prefix, kind = rng.choice(PARTNER_KINDS)
        name = f"{prefix} {rng.choice(hoods).name} {n}"
        street = rng.choice(["Kooilaan", "Haarlemmerweg", "Nieuwstraat"])
        rows.append(
            Organisation(
                name=name,
                slug=slugify(name),
                kind=kind,
                address=f"{street} {n + 1}, Leiden",
                is_verified=True,
                verified_at=now,
                team_budget=5,
            )
        )
    return Organisation.objects.bulk_create(rows)


def _challenges(organisations, count: int, now: datetime, rng: random.Random) -> list[Challenge]:
    return Challenge.objects.bulk_create(
        (
            Challenge(
                organisation=rng.choice(organisations),
                title=f"Vraagstuk {n}",
                question="Hoe bereiken we bewoners die we nu niet zien?",
                is_societal=True,
                is_non_commercial=True,
                has_no_consultant_budget=True,
                is_public=True,
                state="in_progress",
                submitted_at=now,
            )
            for n in range(count)
        ),
        batch_size=BATCH,
    )


def _students(count: int, rng: random.Random) -> list[User]:
    institutions = Institution.objects.bulk_create(
        [
            Institution(name="ROC Leiden", kind="mbo"),
            Institution(name="Hogeschool Leiden", kind="hbo"),
            Institution(name="Universiteit Leiden", kind="wo"),
        ]
    )
    password = make_password(None)  # unusable: nobody logs in as a bench student
    students = User.objects.bulk_create(
        (
            User(
                email=f"student{n}@student.example.nl",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                role="student",
                password=password,
            )
            for n in range(count)
        ),
        batch_size=BATCH,
    )
    profiles = []
    for student in students:
        institution = rng.choice(institutions)
        profiles.append(
            StudentProfile(user=student, institution=institution, level=institution.kind)
        )
    StudentProfile.objects.bulk_create(profiles, batch_size=BATCH)
    return students


def _title(hood: Neighbourhood, group: str, rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.choice(COMPOUNDS)} {hood.name}",
            f"{rng.choice(ACTIVITIES)} met {group} in {hood.name}",
            f"{rng.choice(GOALS)} {hood.name}",
        ]
    )


def _projects(count: int, challenges, themes, hoods, rng: random.Random) -> list[Project]:
    rows = []
    for n in range(count):
        hood = rng.choice(hoods)
        group = rng.choice(GROUPS)
        title = _title(hood, group, rng)
        words = {"group": group, "Group": group.capitalize(), "hood": hood.name}
        summary = " ".join(
            [
                rng.choice(PROBLEMS).format(**words),
                rng.choice(PLANS).format(partner="de bibliotheek", **words),
            ]
        )
        rows.append(
            Project(
                challenge=challenges[n % len(challenges)],
                title=title,
                slug=f"{slugify(title)}-{n}",
                summary=summary[:300],
                description=" ".join(rng.sample(DETAILS, 3)),
                neighbourhood=hood,
                location_kind=rng.choice(["op_locatie", "partner", "partner", "elsewhere"]),
                csl_level=rng.choice(["low", "medium", "intensive"]),
                institution_kinds=sorted(rng.sample(["mbo", "hbo", "wo"], rng.randint(1, 3))),
                language=rng.choice(["nl", "nl", "nl", "en", "both"]),
                weekdays=sorted(rng.sample(range(1, 6), rng.randint(1, 2))),
                hours_per_week=rng.choice([4, 6, 8, 12, 16]),
                works_with_vulnerable_residents=rng.random() < 0.3,
            )
        )
    created = Project.objects.bulk_create(rows, batch_size=BATCH)
    theme_links = Project.themes.through
    theme_links.objects.bulk_create(
        (
            theme_links(project_id=p.pk, theme_id=t.pk)
            for p in created
            for t in rng.sample(themes, rng.randint(1, 2))
        ),
        batch_size=5 * BATCH,
    )
    partner_links = Project.organisations.through
    partner_links.objects.bulk_create(
        (
            partner_links(project_id=p.pk, organisation_id=p.challenge.organisation_id)
            for p in created
        ),
        batch_size=5 * BATCH,
    )
    return created


def _cohort(project: Project, number: int, *, start: date, state: str, opens: datetime, rng):
    return Cohort(
        project=project,
        number=number,
        starts_on=start,
        ends_on=start + timedelta(weeks=rng.randint(5, 10)),
        registration_opens_at=opens,
        registration_closes_at=opens + timedelta(days=rng.randint(10, 30)),
        min_size=3,
        max_size=rng.randint(5, 10),
        admission_mode=rng.choice(["first_come", "first_come", "application", "preference"]),
        state=state,
    )


def _cohorts(projects: list[Project], now: datetime, rng: random.Random) -> list[Cohort]:
    """Per project: maybe a completed group, most often an open one, sometimes a planned one.
    One open group in twenty opens its registration only in a few days."""
    today = timezone.localdate()
    rows = []
    for project in projects:
        plans = []
        if rng.random() < 0.4:
            start = today - timedelta(weeks=rng.randint(20, 40))
            plans.append(("completed", start, now - timedelta(weeks=50)))
        if rng.random() < 0.7:
            start = today + timedelta(weeks=rng.randint(1, 10))
            opens = now - timedelta(days=rng.randint(1, 10))
            if rng.random() < 0.05:
                opens = now + timedelta(days=rng.randint(1, 5))
            plans.append(("open", start, opens))
        if rng.random() < 0.3:
            start = today + timedelta(weeks=rng.randint(12, 30))
            plans.append(("planned", start, now + timedelta(weeks=6)))
        rows.extend(
            _cohort(project, number, start=start, state=state, opens=opens, rng=rng)
            for number, (state, start, opens) in enumerate(plans, start=1)
        )
    return Cohort.objects.bulk_create(rows, batch_size=BATCH)


def _enrolments(cohorts, students, count: int, rng: random.Random) -> None:
    """Each open or completed group gets a few students, up to two more than its places (the
    rest wait or withdrew), adjusted so that the total is exactly `count`."""
    fillable = [c for c in cohorts if c.state in {"open", "completed"}]
    sizes = {c.pk: rng.randint(1, c.max_size + 2) for c in fillable}
    total = sum(sizes.values())
    while total != count:
        cohort = rng.choice(fillable)
        if total < count and sizes[cohort.pk] < cohort.max_size + 4:
            sizes[cohort.pk] += 1
            total += 1
        elif total > count and sizes[cohort.pk] > 0:
            sizes[cohort.pk] -= 1
            total -= 1
    rows = []
    for cohort in fillable:
        for k, student in enumerate(rng.sample(students, sizes[cohort.pk])):
            if cohort.state == "completed":
                state = "completed" if k < cohort.max_size else "withdrawn"
            else:
                state = "member" if k < cohort.max_size else "waitlisted"
            rows.append(Enrolment(cohort=cohort, student=student, state=state))
    Enrolment.objects.bulk_create(rows, batch_size=5 * BATCH)
