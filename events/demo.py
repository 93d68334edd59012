"""Demo data: one Meet & Match that was held and one open for registration, at Op Locatie,
with registrations of demo researchers, lecturers and partner people. Idempotent.

Runs after accounts.demo.seed_users and partners.demo_organisations.seed_organisations (the
demo partner people). Rows are written directly rather than through the services, so
seeding sends no mail. Events are found by slug and people by email address: running it
again adds only what is missing and never changes what a person did since. Dates are
relative to today, so the held event lies in the past and the open one in the future.

The schedule part seeds the held event's schedule and follow-ups itself.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_password
from accounts.enums import Position, Role
from accounts.models import Institution, ResearcherProfile, User
from events.enums import Audience, EventState, RegistrationState, RoleAtEvent
from events.models import OP_LOCATIE, Event, EventLogEntry, Registration
from partners.models import Theme

DEMO_RESEARCHER_EMAIL = "onderzoeker@demo.lerenmetdestad.nl"
DEMO_PARTNER_EMAIL = "partner@demo.lerenmetdestad.nl"
DEMO_COORDINATOR_EMAIL = "coordinator@demo.lerenmetdestad.nl"
DOMAIN = "demo.lerenmetdestad.nl"

PAST_SLUG = "meet-and-match-eenzaamheid"
UPCOMING_SLUG = "meet-and-match-armoede-en-gezondheid"


@dataclass(frozen=True)
class DemoResearcher:
    key: str  # the part before @ in their demo address
    name: str
    institution: str
    position: Position
    expertise: str


# Extra demo researchers and lecturers, on our own demo subdomain so no mail reaches anyone.
RESEARCHERS = [
    DemoResearcher(
        "marieke.dekker",
        "Marieke Dekker",
        "Hogeschool Leiden",
        Position.LECTURER,
        "Docent Social Work. Begeleidt studenten die in de wijk werken.",
    ),
    DemoResearcher(
        "sanjay.ramdin",
        "Sanjay Ramdin",
        "Universiteit Leiden",
        Position.RESEARCHER,
        "Onderzoek naar armoede en schulden bij jonge gezinnen.",
    ),
    DemoResearcher(
        "ellen.vos",
        "Ellen Vos",
        "Leids Universitair Medisch Centrum",
        Position.RESEARCHER,
        "Gezond ouder worden en bewegen in de buurt.",
    ),
    DemoResearcher(
        "bram.koster",
        "Bram Koster",
        "Hogeschool Leiden",
        Position.LECTURER,
        "Docent Pedagogiek. Werkt aan taal en laaggeletterdheid.",
    ),
]


@dataclass(frozen=True)
class DemoRegistration:
    email: str
    role: RoleAtEvent
    brings: str
    seeks: str
    listed: bool
    themes: tuple[str, ...] = ()
    state: RegistrationState = RegistrationState.REGISTERED
    checked_in: bool = False


def _r(key: str) -> str:
    return f"{key}@{DOMAIN}"


PAST_REGISTRATIONS = [
    DemoRegistration(
        DEMO_RESEARCHER_EMAIL,
        RoleAtEvent.RESEARCHER,
        "Onderzoek naar sociale netwerken van ouderen in Leiden-Noord.",
        "Een organisatie die ouderen spreekt en wil meedoen aan interviews.",
        listed=True,
        themes=("eenzaamheid", "vergrijzing"),
        checked_in=True,
    ),
    DemoRegistration(
        DEMO_PARTNER_EMAIL,
        RoleAtEvent.PRACTITIONER,
        "De bibliotheek en het Taalcafé: veel ouderen komen hier elke week.",
        "Onderzoekers en studenten die ons helpen eenzaamheid te herkennen.",
        listed=True,
        themes=("eenzaamheid",),
        checked_in=True,
    ),
    DemoRegistration(
        _r("fatima.elidrissi"),
        RoleAtEvent.PRACTITIONER,
        "Buurtwerk in De Kooi, met een vaste groep vrijwilligers.",
        "Een docent die studenten laat meedraaien in de koffieochtenden.",
        listed=True,
        themes=("eenzaamheid",),
        checked_in=True,
    ),
    DemoRegistration(
        _r("marieke.dekker"),
        RoleAtEvent.LECTURER,
        "Studenten Social Work die elk half jaar een wijkopdracht zoeken.",
        "Organisaties met een echte vraag over ontmoeting in de wijk.",
        listed=True,
        themes=("eenzaamheid", "vergrijzing"),
        checked_in=True,
    ),
    DemoRegistration(
        _r("ellen.vos"),
        RoleAtEvent.RESEARCHER,
        "Kennis over bewegen en gezond ouder worden.",
        "Plekken waar ouderen samen bewegen.",
        listed=False,
        themes=("vergrijzing", "gezondheid-en-bewegen"),
        checked_in=True,
    ),
    DemoRegistration(
        _r("henk.verbeek"),
        RoleAtEvent.PRACTITIONER,
        "Een wijkcentrum met ruimte op dinsdag en donderdag.",
        "Iemand die meedenkt over activiteiten voor alleenstaande mannen.",
        listed=False,
        themes=("eenzaamheid",),
    ),
]

UPCOMING_REGISTRATIONS = [
    DemoRegistration(
        DEMO_RESEARCHER_EMAIL,
        RoleAtEvent.RESEARCHER,
        "Onderzoek naar sociale netwerken, nu ook bij gezinnen met weinig geld.",
        "Een organisatie die gezinnen met geldzorgen spreekt.",
        listed=True,
        themes=("armoede-en-schulden",),
    ),
    DemoRegistration(
        _r("sanjay.ramdin"),
        RoleAtEvent.RESEARCHER,
        "Onderzoek naar armoede en schulden bij jonge gezinnen.",
        "Een partner voor interviews en een plek om resultaten te delen.",
        listed=True,
        themes=("armoede-en-schulden",),
    ),
    DemoRegistration(
        _r("joost.vandermeer"),
        RoleAtEvent.PRACTITIONER,
        "Schuldhulp en een inloopspreekuur in Leiden-Noord.",
        "Studenten die helpen bij het spreekuur, en onderzoek naar wat werkt.",
        listed=True,
        themes=("armoede-en-schulden",),
    ),
    DemoRegistration(
        _r("bram.koster"),
        RoleAtEvent.LECTURER,
        "Studenten Pedagogiek en lesmateriaal over taal.",
        "Een plek waar studenten ouders helpen met formulieren.",
        listed=False,
        themes=("laaggeletterdheid",),
    ),
    DemoRegistration(
        _r("anouk.degraaf"),
        RoleAtEvent.PRACTITIONER,
        "Een sportvereniging die de buurt in wil.",
        "Onderzoek naar bewegen bij kinderen uit gezinnen met weinig geld.",
        listed=True,
        themes=("gezondheid-en-bewegen", "armoede-en-schulden"),
    ),
]


@transaction.atomic
def seed_events() -> int:
    """Create the demo events that are missing, with their registrations; returns how many
    events were added."""
    _seed_researchers()
    coordinator = User.objects.filter(email=DEMO_COORDINATOR_EMAIL).first()
    today = timezone.localdate()
    created = 0
    if not Event.objects.filter(slug=PAST_SLUG).exists():
        event = _create_event(
            slug=PAST_SLUG,
            title="Meet & Match: eenzaamheid en ontmoeting",
            description=(
                "Onderzoekers, docenten en mensen uit Leidse organisaties spraken elkaar in "
                "vier korte rondes over eenzaamheid en ontmoeting in Leiden-Noord."
            ),
            starts_at=_at(today - timedelta(days=35), time(15, 0)),
            state=EventState.HELD,
            capacity=24,
            themes=("eenzaamheid", "vergrijzing"),
        )
        _log_path(
            event,
            coordinator,
            [
                ("create", "", EventState.DRAFT),
                ("publish", EventState.DRAFT, EventState.PUBLISHED),
                ("close_registration", EventState.PUBLISHED, EventState.REGISTRATION_CLOSED),
                ("hold", EventState.SCHEDULED, EventState.HELD),
            ],
        )
        _register(event, PAST_REGISTRATIONS)
        created += 1
    if not Event.objects.filter(slug=UPCOMING_SLUG).exists():
        event = _create_event(
            slug=UPCOMING_SLUG,
            title="Meet & Match: armoede, gezondheid en de wijk",
            description=(
                "Werk je aan armoede, schulden of gezondheid in Leiden? Kom naar Op Locatie en "
                "spreek in korte rondes met onderzoekers, docenten en organisaties. Het doel: "
                "een vervolgafspraak."
            ),
            starts_at=_at(today + timedelta(days=21), time(15, 0)),
            state=EventState.PUBLISHED,
            capacity=24,
            themes=("armoede-en-schulden", "gezondheid-en-bewegen"),
        )
        _log_path(
            event,
            coordinator,
            [
                ("create", "", EventState.DRAFT),
                ("publish", EventState.DRAFT, EventState.PUBLISHED),
            ],
        )
        registrations = _register(event, UPCOMING_REGISTRATIONS)
        # The demo researcher chose someone on the list, to show how choosing works.
        mine = registrations.get(DEMO_RESEARCHER_EMAIL)
        wanted = registrations.get(_r("joost.vandermeer"))
        if mine and wanted:
            mine.wants_to_meet.add(wanted)
        created += 1
    return created


def _at(day, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _create_event(
    *,
    slug: str,
    title: str,
    description: str,
    starts_at: datetime,
    state: EventState,
    capacity: int,
    themes: tuple[str, ...],
) -> Event:
    event = Event.objects.create(
        slug=slug,
        title=title,
        description=description,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2, minutes=30),
        registration_deadline=starts_at - timedelta(days=3),
        venue=OP_LOCATIE,
        capacity=capacity,
        audience=[Audience.RESEARCHER, Audience.PARTNER],
        rounds=4,
        minutes_per_round=15,
        tables=8,
        seats_per_table=2,
        first_round_at=starts_at + timedelta(minutes=30),
        state=state,
        created_at=starts_at - timedelta(days=42),
    )
    event.themes.set(Theme.objects.filter(slug__in=themes))
    return event


def _log_path(event: Event, actor: User | None, steps) -> None:
    moment = event.created_at
    for action, from_state, to_state in steps:
        EventLogEntry.objects.create(
            event=event,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=to_state,
            created_at=min(moment, timezone.now()),
        )
        moment += timedelta(days=10)


def _register(event: Event, demo: list[DemoRegistration]) -> dict[str, Registration]:
    people = {u.email: u for u in User.objects.filter(email__in=[d.email for d in demo])}
    themes = {t.slug: t for t in Theme.objects.all()}
    queued_at = event.created_at + timedelta(days=7)
    registrations = {}
    for item in demo:
        person = people.get(item.email)
        if person is None:
            continue  # that app's demo did not run; the rest still makes sense
        queued_at += timedelta(hours=5)
        registration = Registration.objects.create(
            event=event,
            person=person,
            role_at_event=item.role,
            brings=item.brings,
            seeks=item.seeks,
            listed=item.listed,
            state=item.state,
            queued_at=queued_at,
            created_at=queued_at,
            state_changed_at=queued_at,
            checked_in_at=event.starts_at + timedelta(minutes=10) if item.checked_in else None,
        )
        registration.themes.set([themes[s] for s in item.themes if s in themes])
        registrations[item.email] = registration
    return registrations


def _seed_researchers() -> None:
    institutions = {i.name: i for i in Institution.objects.all()}
    themes = list(Theme.objects.filter(slug__in=["eenzaamheid", "armoede-en-schulden"]))
    for demo in RESEARCHERS:
        email = _r(demo.key)
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(
            email=email, password=demo_password(email), name=demo.name, role=Role.RESEARCHER
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
        profile = ResearcherProfile.objects.create(
            user=user,
            institution=institutions.get(demo.institution),
            position=demo.position,
            expertise=demo.expertise,
        )
        profile.themes.set(themes)
