"""Demo data: Leiden partner organisations, their people and one request to join. Idempotent.

Runs after partners.demo.seed (neighbourhoods) and accounts.demo.seed_users (the demo
partner and coordinator). Writes rows directly rather than through the services, so
seeding sends no mail. Organisations are found by slug and people by email address, so
running it again adds only what is missing and never changes what a person did since.
"""

from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import demo_password
from accounts.enums import Role
from accounts.models import User
from partners.enums import JoinRequestStatus, MembershipRole, OrganisationKind
from partners.models import JoinRequest, Membership, Neighbourhood, Organisation

DEMO_PARTNER_EMAIL = "partner@demo.lerenmetdestad.nl"
DEMO_COORDINATOR_EMAIL = "coordinator@demo.lerenmetdestad.nl"

NOORD = ["de-kooi", "tuinstadwijk", "noorderkwartier", "slaaghwijk", "professorenwijk"]


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: OrganisationKind
    description: str
    neighbourhoods: list[str]
    team_budget: int
    verified: bool = True
    website: str = ""
    address: str = ""
    # (email, role) of the demo people who belong to it
    members: list[tuple[str, MembershipRole]] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return slugify(self.name)


# Extra demo partner people, on our own demo subdomain so no mail reaches a real person.
DEMO_PARTNERS = [
    ("fatima.elidrissi@demo.lerenmetdestad.nl", "Fatima El Idrissi"),
    ("joost.vandermeer@demo.lerenmetdestad.nl", "Joost van der Meer"),
    ("anouk.degraaf@demo.lerenmetdestad.nl", "Anouk de Graaf"),
    ("henk.verbeek@demo.lerenmetdestad.nl", "Henk Verbeek"),
    ("lotte.hendriks@demo.lerenmetdestad.nl", "Lotte Hendriks"),
]

ADMIN, MEMBER = MembershipRole.ADMIN, MembershipRole.MEMBER

ORGANISATIONS = [
    DemoOrganisation(
        name="BplusC bibliotheek Leiden-Noord",
        kind=OrganisationKind.LIBRARY,
        description=(
            "De bibliotheek in Leiden-Noord. Naast boeken lenen kun je hier terecht voor hulp "
            "met taal, computers en formulieren, en voor het Taalcafé."
        ),
        neighbourhoods=NOORD,
        team_budget=3,
        website="https://www.bplusc.nl",
        members=[(DEMO_PARTNER_EMAIL, ADMIN)],
    ),
    DemoOrganisation(
        name="Incluzio Leiden",
        kind=OrganisationKind.WELFARE,
        description=(
            "Welzijn en ondersteuning in de wijk: buurtteams, ouderenwerk, jongerenwerk en "
            "mantelzorgondersteuning in heel Leiden."
        ),
        neighbourhoods=[*NOORD, "merenwijk", "stevenshof", "boerhaavewijk"],
        team_budget=4,
        website="https://www.incluzioleiden.nl",
        members=[
            ("fatima.elidrissi@demo.lerenmetdestad.nl", ADMIN),
            (DEMO_PARTNER_EMAIL, MEMBER),
        ],
    ),
    DemoOrganisation(
        name="Gemeente Leiden, afdeling Maatschappelijke Ontwikkeling",
        kind=OrganisationKind.MUNICIPALITY,
        description=(
            "De afdeling van de gemeente die werkt aan welzijn, zorg, jeugd en meedoen in de stad."
        ),
        neighbourhoods=[],
        team_budget=3,
        website="https://www.leiden.nl",
        address="Stadhuisplein 1, 2311 EJ Leiden",
        members=[("joost.vandermeer@demo.lerenmetdestad.nl", ADMIN)],
    ),
    DemoOrganisation(
        name="Portaal Leiden",
        kind=OrganisationKind.HOUSING,
        description="Woningcorporatie met huurwoningen in veel Leidse wijken.",
        neighbourhoods=["merenwijk", "stevenshof", "boerhaavewijk", "slaaghwijk"],
        team_budget=2,
        website="https://www.portaal.nl",
        members=[("anouk.degraaf@demo.lerenmetdestad.nl", ADMIN)],
    ),
    DemoOrganisation(
        name="Woningstichting Ons Doel",
        kind=OrganisationKind.HOUSING,
        description="Woningcorporatie in Leiden en omgeving, met veel woningen in Leiden-Noord.",
        neighbourhoods=["tuinstadwijk", "noorderkwartier", "morskwartier"],
        team_budget=2,
    ),
    DemoOrganisation(
        name="De Sleutels",
        kind=OrganisationKind.HOUSING,
        description="Woningcorporatie in Leiden, onder andere in Roomburg en de Professorenwijk.",
        neighbourhoods=["roomburg", "professorenwijk", "fortuinwijk"],
        team_budget=2,
        website="https://www.desleutels.nl",
    ),
    DemoOrganisation(
        name="Libertas Leiden",
        kind=OrganisationKind.HEALTHCARE,
        description="Zorg voor ouderen: wonen met zorg, thuiszorg en dagactiviteiten.",
        neighbourhoods=["merenwijk", "haagwegkwartier", "roodenburg"],
        team_budget=2,
    ),
    DemoOrganisation(
        name="Stichting Radius",
        kind=OrganisationKind.WELFARE,
        description="Kinderopvang en activiteiten voor kinderen en jongeren in Leiden.",
        neighbourhoods=["stevenshof", "boerhaavewijk"],
        team_budget=2,
    ),
    DemoOrganisation(
        name="Humanitas Leiden",
        kind=OrganisationKind.WELFARE,
        description=(
            "Vrijwilligers die mensen helpen met thuisadministratie, rouw en eenzaamheid."
        ),
        neighbourhoods=[],
        team_budget=2,
        website="https://www.humanitas.nl",
    ),
    DemoOrganisation(
        name="VluchtelingenWerk Leiden",
        kind=OrganisationKind.WELFARE,
        description="Begeleiding van statushouders bij taal, werk, wonen en hun weg in de stad.",
        neighbourhoods=[],
        team_budget=2,
        website="https://www.vluchtelingenwerk.nl",
    ),
    DemoOrganisation(
        name="Leiden Klimaat Akkoord",
        kind=OrganisationKind.OTHER,
        description=(
            "Netwerk van Leidse organisaties, bedrijven en bewoners die samen werken aan een "
            "klimaatneutrale stad."
        ),
        neighbourhoods=["binnenstad-noord", "binnenstad-zuid", "stationsdistrict"],
        team_budget=1,
    ),
    DemoOrganisation(
        name="Buurthuis De Kooi",
        kind=OrganisationKind.RESIDENTS,
        description="Een buurthuis van en voor bewoners van De Kooi: koffie, klussen en koken.",
        neighbourhoods=["de-kooi"],
        team_budget=1,
        verified=False,
        members=[("henk.verbeek@demo.lerenmetdestad.nl", ADMIN)],
    ),
    DemoOrganisation(
        name="Repair Café Leiden-Noord",
        kind=OrganisationKind.RESIDENTS,
        description="Bewoners repareren samen spullen, elke maand in de wijk.",
        neighbourhoods=["noorderkwartier", "tuinstadwijk"],
        team_budget=1,
        verified=False,
    ),
]

# One request waiting for the demo partner, as administrator of the library, to decide.
JOIN_REQUESTS = [
    (
        "lotte.hendriks@demo.lerenmetdestad.nl",
        "bplusc-bibliotheek-leiden-noord",
        "Ik werk sinds kort als taalcoach in de bibliotheek en begeleid het Taalcafé.",
    ),
]


@transaction.atomic
def seed_organisations() -> int:
    """Create what is missing; returns how many organisations were added."""
    now = timezone.now()
    coordinator = User.objects.filter(email=DEMO_COORDINATOR_EMAIL).first()
    people = {email: _partner_ensure(email=email, name=name) for email, name in DEMO_PARTNERS}
    demo_partner = User.objects.filter(email=DEMO_PARTNER_EMAIL).first()
    if demo_partner is not None:
        people[DEMO_PARTNER_EMAIL] = demo_partner
    hoods = {hood.slug: hood for hood in Neighbourhood.objects.all()}

    created = 0
    organisations = {}
    for demo in ORGANISATIONS:
        organisation, was_created = Organisation.objects.get_or_create(
            slug=demo.slug,
            defaults={
                "name": demo.name,
                "kind": demo.kind,
                "description": demo.description,
                "website": demo.website,
                "address": demo.address,
                "team_budget": demo.team_budget,
                "is_verified": demo.verified,
                "verified_at": now if demo.verified else None,
                "verified_by": coordinator if demo.verified else None,
            },
        )
        if was_created:
            organisation.neighbourhoods.set(
                [hoods[slug] for slug in demo.neighbourhoods if slug in hoods]
            )
            created += 1
        organisations[demo.slug] = organisation
        for email, role in demo.members:
            if email in people:
                Membership.objects.get_or_create(
                    user=people[email], organisation=organisation, defaults={"role": role}
                )

    for email, slug, message in JOIN_REQUESTS:
        user, organisation = people.get(email), organisations.get(slug)
        if user is None or organisation is None:
            continue
        asked_before = JoinRequest.objects.filter(user=user, organisation=organisation).exists()
        is_member = Membership.objects.filter(user=user, organisation=organisation).exists()
        if not (asked_before or is_member):
            JoinRequest.objects.create(
                user=user,
                organisation=organisation,
                message=message,
                status=JoinRequestStatus.PENDING,
            )
    return created


def _partner_ensure(*, email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=demo_password(email), name=name, role=Role.PARTNER
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user
