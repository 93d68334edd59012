"""Demo data: projects made from the demo challenges, with cohorts in every state. Idempotent.

Runs after partners.demo_challenges.seed_challenges and accounts.demo.seed_users. Rows are
written directly rather than through the services, so seeding sends no mail. Projects are
found by slug, people by email address, academic periods by name: running it again adds
only what is missing and never changes what a person did since.

Dates are relative to today, so each cohort's state matches its dates whenever the demo
is loaded: the running group runs now, the open ones take registrations now, and so on.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import demo_password
from accounts.enums import InstitutionKind, Role, Weekday
from accounts.models import Institution, StudentProfile, User
from partners.enums import ChallengeAction, ChallengeState
from partners.models import Challenge, ChallengeLogEntry
from projects.enums import AdmissionMode, CohortState, EnrolmentState, LocationKind
from projects.models import (
    AcademicPeriod,
    Cohort,
    CohortLogEntry,
    CohortPreference,
    Enrolment,
    Project,
)
from projects.services.next_open import projects_next_open_refresh_all

S = CohortState
E = EnrolmentState

DEMO_STUDENT_EMAIL = "student@demo.lerenmetdestad.nl"
DEMO_RESEARCHER_EMAIL = "onderzoeker@demo.lerenmetdestad.nl"
DEMO_COORDINATOR_EMAIL = "coordinator@demo.lerenmetdestad.nl"

PERIODS = [
    ("2026-2027 semester 1", date(2026, 9, 1), date(2027, 1, 31)),
    ("2026-2027 semester 2", date(2027, 2, 1), date(2027, 7, 16)),
]

# Extra demo students: (email name, full name, institution, programme, study year).
# On our own demo subdomain, so no mail can reach a real person.
STUDENTS = [
    ("daan.jansen", "Daan Jansen", "Hogeschool Leiden", "Social Work", 2),
    ("fleur.bos", "Fleur Bos", "Universiteit Leiden", "Psychologie", 3),
    ("yusuf.kaya", "Yusuf Kaya", "mboRijnland", "Maatschappelijke Zorg", 2),
    ("emma.visser", "Emma Visser", "ID College", "Pedagogisch Medewerker", 1),
    ("lucas.dejong", "Lucas de Jong", "Hogeschool Leiden", "Pedagogiek", 3),
    ("amira.haddad", "Amira Haddad", "Universiteit Leiden", "Sociologie", 2),
    ("noah.smit", "Noah Smit", "mboRijnland", "Sport en Bewegen", 2),
    ("sara.meijer", "Sara Meijer", "Leids Universitair Medisch Centrum", "Geneeskunde", 4),
    ("thijs.vandenberg", "Thijs van den Berg", "Hogeschool Leiden", "Social Work", 1),
    ("ilse.mulder", "Ilse Mulder", "ID College", "Maatschappelijke Zorg", 2),
    ("kevin.tran", "Kevin Tran", "Universiteit Leiden", "Bestuurskunde", 2),
]
STUDENT_DOMAIN = "demo.lerenmetdestad.nl"
ME = "student"  # the demo student, in the enrolment lists below


@dataclass(frozen=True)
class DemoCohort:
    state: CohortState
    # Monday of the first week, in weeks from this week's Monday; the cohort runs `weeks`.
    start_week: int
    weeks: int = 8
    min_size: int = 3
    max_size: int = 6
    admission: AdmissionMode = AdmissionMode.FIRST_COME
    members: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    # Preference mode: student key -> the rank this group has on that student's list.
    ranked_by: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoProject:
    challenge: str
    summary: str
    location_kind: LocationKind
    weekdays: list[int]
    hours_per_week: int
    cohorts: list[DemoCohort]
    vulnerable: bool = False
    lecturer: bool = False
    location: str = ""


PROJECTS = [
    DemoProject(
        challenge="Ouderen ontmoeten elkaar",
        summary="Samen met ouderen in De Kooi een plek en een ritme vinden om elkaar vaker te zien.",
        location_kind=LocationKind.OP_LOCATIE,
        weekdays=[Weekday.TUESDAY],
        hours_per_week=8,
        vulnerable=True,
        lecturer=True,
        cohorts=[
            DemoCohort(
                S.COMPLETED, start_week=-18, members=[ME, "daan.jansen", "fleur.bos", "yusuf.kaya"]
            ),
            DemoCohort(
                S.RUNNING,
                start_week=-3,
                members=[ME, "emma.visser", "lucas.dejong", "amira.haddad"],
            ),
        ],
    ),
    DemoProject(
        challenge="Voorlezen in de wijk",
        summary="Met ouders in de Tuinstadwijk uitzoeken hoe voorlezen ook lukt als lezen moeilijk is.",
        location_kind=LocationKind.OP_LOCATIE,
        weekdays=[Weekday.WEDNESDAY],
        hours_per_week=4,
        cohorts=[
            DemoCohort(
                S.HANDOVER, start_week=-8, members=["noah.smit", "sara.meijer", "thijs.vandenberg"]
            ),
            DemoCohort(S.OPEN, start_week=4, members=["ilse.mulder", "kevin.tran"]),
        ],
    ),
    DemoProject(
        challenge="Spelen in de buurt",
        summary="Met kinderen en ouders in Leiden-Noord kijken wat pleinen veiliger en leuker maakt.",
        location_kind=LocationKind.OP_LOCATIE,
        weekdays=[Weekday.THURSDAY],
        hours_per_week=6,
        cohorts=[
            # Closed below its minimum: the coordinator still has to decide.
            DemoCohort(S.CLOSED, start_week=1, weeks=7, members=["daan.jansen", "emma.visser"]),
            DemoCohort(S.PLANNED, start_week=12, admission=AdmissionMode.APPLICATION),
        ],
    ),
    DemoProject(
        challenge="Taalcafé in de bibliotheek",
        summary="Onderzoeken wat mensen die Nederlands leren naar het taalcafé blijft trekken.",
        location_kind=LocationKind.PARTNER,
        location="Bibliotheek, Nieuwstraat 4, Leiden",
        weekdays=[Weekday.MONDAY, Weekday.THURSDAY],
        hours_per_week=6,
        lecturer=True,
        cohorts=[
            DemoCohort(
                S.OPEN,
                start_week=5,
                min_size=2,
                max_size=4,
                members=["fleur.bos", "lucas.dejong", "amira.haddad", "noah.smit"],
                waiting=[ME, "sara.meijer"],
            ),
        ],
    ),
    DemoProject(
        challenge="Gezonde school",
        summary="Met basisscholen in Leiden-Noord zoeken naar een gezondere lunch die kinderen lusten.",
        location_kind=LocationKind.ELSEWHERE,
        location="Basisschool in het Noorderkwartier",
        weekdays=[Weekday.FRIDAY],
        hours_per_week=4,
        cohorts=[
            DemoCohort(
                S.CANCELLED,
                start_week=2,
                members=["yusuf.kaya", "thijs.vandenberg"],
                waiting=["ilse.mulder"],
            ),
            DemoCohort(S.PLANNED, start_week=14, admission=AdmissionMode.PREFERENCE),
        ],
    ),
    # Two groups whose ranking window has just closed: the coordinator can try a dry run of
    # the allocation (admin, Allocations) and publish it.
    DemoProject(
        challenge="Groene binnenplaatsen",
        summary="Met huurders van de flats in de Kooi de binnenplaatsen groener en koeler maken.",
        location_kind=LocationKind.PARTNER,
        location="Binnenplaats Kooiplein, Leiden",
        weekdays=[Weekday.WEDNESDAY],
        hours_per_week=6,
        cohorts=[
            DemoCohort(
                S.CLOSED,
                start_week=2,
                min_size=2,
                max_size=3,
                admission=AdmissionMode.PREFERENCE,
                ranked_by={"daan.jansen": 1, "emma.visser": 1, "noah.smit": 2, "ilse.mulder": 1},
            ),
            DemoCohort(
                S.CLOSED,
                start_week=3,
                min_size=2,
                max_size=3,
                admission=AdmissionMode.PREFERENCE,
                ranked_by={
                    "daan.jansen": 2,
                    "noah.smit": 1,
                    "kevin.tran": 1,
                    "ilse.mulder": 2,
                    "thijs.vandenberg": 1,
                },
            ),
        ],
    ),
]

# How a cohort in each state got there, for its log.
ACTION_FOR = {
    S.OPEN: "open",
    S.CLOSED: "close",
    S.RUNNING: "start",
    S.HANDOVER: "hand_over",
    S.COMPLETED: "complete",
    S.CANCELLED: "cancel",
}


@transaction.atomic
def seed_projects() -> int:
    """Create the demo projects that are missing; returns how many were added."""
    coordinator = User.objects.filter(email=DEMO_COORDINATOR_EMAIL).first()
    researcher = User.objects.filter(email=DEMO_RESEARCHER_EMAIL).first()
    periods = _seed_periods()
    students = _seed_students()
    me = User.objects.filter(email=DEMO_STUDENT_EMAIL).first()
    if me is not None:
        students[ME] = me
    created = 0
    for demo in PROJECTS:
        challenge = (
            Challenge.objects.filter(
                title=demo.challenge,
                state__in=[ChallengeState.ACCEPTED, ChallengeState.IN_PROGRESS],
            )
            .select_related("organisation")
            .first()
        )
        if challenge is None or Project.objects.filter(slug=slugify(demo.challenge)).exists():
            continue
        project = _create_project(demo, challenge, researcher=researcher)
        for number, spec in enumerate(demo.cohorts, start=1):
            _create_cohort(
                project, number, spec, periods=periods, students=students, coordinator=coordinator
            )
        if challenge.state == ChallengeState.ACCEPTED:
            _start_challenge(challenge, coordinator)
        created += 1
    # Cohorts are written directly here, so the discovery order is brought up to date once.
    projects_next_open_refresh_all()
    return created


def _seed_periods() -> list[AcademicPeriod]:
    for name, starts_on, ends_on in PERIODS:
        AcademicPeriod.objects.get_or_create(
            name=name, defaults={"starts_on": starts_on, "ends_on": ends_on}
        )
    return list(AcademicPeriod.objects.all())


def _seed_students() -> dict[str, User]:
    institutions = {institution.name: institution for institution in Institution.objects.all()}
    students = {}
    for key, name, institution_name, programme, year in STUDENTS:
        email = f"{key}@{STUDENT_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=demo_password(email), name=name, role=Role.STUDENT
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            institution = institutions.get(institution_name)
            StudentProfile.objects.create(
                user=user,
                institution=institution,
                programme=programme,
                level=institution.kind if institution else InstitutionKind.HBO,
                study_year=year,
                languages=["nl"],
                weekdays=[Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY],
            )
        students[key] = user
    return students


def _create_project(demo: DemoProject, challenge: Challenge, *, researcher: User | None) -> Project:
    project = Project.objects.create(
        challenge=challenge,
        title=challenge.title,
        slug=slugify(demo.challenge),
        summary=demo.summary,
        description=challenge.question,
        neighbourhood=challenge.neighbourhoods.first(),
        location_kind=demo.location_kind,
        location=demo.location,
        csl_level=challenge.desired_level,
        institution_kinds=list(InstitutionKind.values),
        weekdays=[int(day) for day in demo.weekdays],
        hours_per_week=demo.hours_per_week,
        works_with_vulnerable_residents=demo.vulnerable,
    )
    project.themes.set(challenge.themes.all())
    project.organisations.set([challenge.organisation])
    if demo.lecturer and researcher is not None:
        project.lecturers.set([researcher])
    return project


def _create_cohort(
    project: Project,
    number: int,
    spec: DemoCohort,
    *,
    periods: list[AcademicPeriod],
    students: dict[str, User],
    coordinator: User | None,
) -> Cohort:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    starts_on = monday + timedelta(weeks=spec.start_week)
    # Ends on the Friday of the last week.
    ends_on = starts_on + timedelta(weeks=spec.weeks, days=-3)
    opens, closes = _registration_window(spec.state, starts_on, today)
    # When the cohort reached its state, as far as its dates tell.
    reached = {
        S.PLANNED: opens - timedelta(weeks=2),
        S.OPEN: opens,
        S.CLOSED: closes,
        S.CANCELLED: closes,
        S.RUNNING: starts_on,
        S.HANDOVER: ends_on - timedelta(weeks=1),
        S.COMPLETED: ends_on,
    }
    changed = _aware(min(today, reached[spec.state]))
    cohort = Cohort.objects.create(
        project=project,
        number=number,
        period=next((p for p in periods if p.starts_on <= starts_on <= p.ends_on), None),
        starts_on=starts_on,
        ends_on=ends_on,
        registration_opens_at=_aware(opens),
        registration_closes_at=_aware(closes),
        min_size=spec.min_size,
        max_size=spec.max_size,
        admission_mode=spec.admission,
        state=spec.state,
        state_changed_at=changed,
        created_at=_aware(opens - timedelta(weeks=2)),
    )
    CohortLogEntry.objects.create(
        cohort=cohort,
        actor=coordinator,
        action="create",
        to_state=S.PLANNED,
        created_at=cohort.created_at,
    )
    if spec.state in ACTION_FOR:
        CohortLogEntry.objects.create(
            cohort=cohort,
            actor=coordinator,
            action=ACTION_FOR[spec.state],
            to_state=spec.state,
            message="Te weinig aanmeldingen en de school kon de lunches niet meer begeleiden."
            if spec.state == S.CANCELLED
            else "",
            created_at=changed,
        )
    joined = _aware(opens) + timedelta(hours=1)
    member_state = E.COMPLETED if spec.state == S.COMPLETED else E.MEMBER
    for offset, (key, state) in enumerate(
        [(key, member_state) for key in spec.members]
        + [(key, E.WAITLISTED) for key in spec.waiting]
    ):
        student = students.get(key)
        if student is None:
            continue
        at = joined + timedelta(hours=offset)
        checked = project.works_with_vulnerable_residents and spec.state in (S.COMPLETED, S.RUNNING)
        Enrolment.objects.create(
            cohort=cohort,
            student=student,
            state=state,
            vog_confirmed=project.works_with_vulnerable_residents,
            # In the running group one VOG is still to be checked, to show the action.
            vog_checked_at=at + timedelta(days=3) if checked and offset != 1 else None,
            vog_checked_by=coordinator if checked and offset != 1 else None,
            queued_at=at,
            created_at=at,
            state_changed_at=at,
        )
    CohortPreference.objects.bulk_create(
        CohortPreference(student=students[key], cohort=cohort, rank=rank, created_at=joined)
        for key, rank in spec.ranked_by.items()
        if key in students
    )
    return cohort


def _registration_window(state: CohortState, starts_on: date, today: date) -> tuple[date, date]:
    """Registration dates that fit the state: open now for open cohorts, later for planned
    ones, over for the rest."""
    if state == S.PLANNED:
        return today + timedelta(weeks=4), starts_on - timedelta(weeks=1)
    if state == S.OPEN:
        return today - timedelta(days=5), starts_on - timedelta(weeks=1)
    closes = min(starts_on - timedelta(weeks=1), today - timedelta(days=1))
    return closes - timedelta(weeks=4), closes


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def _start_challenge(challenge: Challenge, coordinator: User | None) -> None:
    now = timezone.now()
    Challenge.objects.filter(pk=challenge.pk).update(
        state=ChallengeState.IN_PROGRESS, state_changed_at=now, version=F("version") + 1
    )
    ChallengeLogEntry.objects.create(
        challenge=challenge,
        actor=coordinator,
        action=ChallengeAction.START,
        from_state=ChallengeState.ACCEPTED,
        to_state=ChallengeState.IN_PROGRESS,
        created_at=now,
    )
