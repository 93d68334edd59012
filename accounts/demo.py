"""Demo data for people: Leiden's institutions and one demo user per role. Idempotent."""

import hashlib
import hmac
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from accounts.enums import InstitutionKind, Position, Role, Weekday
from accounts.models import Institution, InstitutionEmailDomain, User
from accounts.roles import coordinators_group_sync
from accounts.services import profile_ensure
from partners.models import Theme

# (name, short name, kind, website, email domains: staff first, then students')
INSTITUTIONS = [
    (
        "Universiteit Leiden",
        "UL",
        InstitutionKind.WO,
        "https://www.universiteitleiden.nl",
        ["leidenuniv.nl", "umail.leidenuniv.nl"],
    ),
    (
        "Leids Universitair Medisch Centrum",
        "LUMC",
        InstitutionKind.WO,
        "https://www.lumc.nl",
        ["lumc.nl"],
    ),
    (
        "Hogeschool Leiden",
        "HSL",
        InstitutionKind.HBO,
        "https://www.hsleiden.nl",
        ["hsleiden.nl", "student.hsleiden.nl"],
    ),
    (
        "mboRijnland",
        "mboRijnland",
        InstitutionKind.MBO,
        "https://www.mborijnland.nl",
        ["mborijnland.nl", "student.mborijnland.nl"],
    ),
    (
        "ID College",
        "ID College",
        InstitutionKind.MBO,
        "https://www.idcollege.nl",
        ["idcollege.nl", "student.idcollege.nl"],
    ),
]


@dataclass(frozen=True)
class DemoUser:
    role: Role
    email: str
    name: str


# Addresses on our own demo subdomain, so no mail can reach a real person.
DEMO_USERS = [
    DemoUser(Role.STUDENT, "student@demo.lerenmetdestad.nl", "Sanne de Vries"),
    DemoUser(Role.PARTNER, "partner@demo.lerenmetdestad.nl", "Paul Bakker"),
    DemoUser(Role.RESEARCHER, "onderzoeker@demo.lerenmetdestad.nl", "Rachida El Amrani"),
    DemoUser(Role.COORDINATOR, "coordinator@demo.lerenmetdestad.nl", "Cora Jansen"),
]


def demo_password(email: str) -> str:
    """A password derived from SECRET_KEY: stable across runs, unguessable without the key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), email.encode(), hashlib.sha256).hexdigest()
    return f"demo-{digest[:16]}"


def seed_institutions() -> int:
    created = 0
    for name, short_name, kind, website, domains in INSTITUTIONS:
        institution, was_created = Institution.objects.get_or_create(
            name=name, defaults={"short_name": short_name, "kind": kind, "website": website}
        )
        created += was_created
        for domain in domains:
            InstitutionEmailDomain.objects.get_or_create(
                domain=domain, defaults={"institution": institution}
            )
    return created


@transaction.atomic
def seed_users() -> list[tuple[DemoUser, str]]:
    coordinators = coordinators_group_sync()
    logins = []
    for demo in DEMO_USERS:
        password = demo_password(demo.email)
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                email=demo.email,
                password=password,
                name=demo.name,
                role=demo.role,
                is_staff=demo.role == Role.COORDINATOR,
                # The demo lecturer agreed, so the demo projects show how a name appears.
                name_public=demo.role == Role.RESEARCHER,
            )
            EmailAddress.objects.create(user=user, email=demo.email, primary=True, verified=True)
            if demo.role == Role.COORDINATOR:
                user.groups.add(coordinators)
            _complete_profile(user)
        logins.append((demo, password))
    return logins


def _complete_profile(user: User) -> None:
    profile = profile_ensure(user=user)
    themes = list(Theme.objects.filter(slug__in=["eenzaamheid", "vergrijzing"]))
    if user.role == Role.STUDENT:
        profile.institution = Institution.objects.get(name="Hogeschool Leiden")
        profile.programme = "Social Work"
        profile.level = InstitutionKind.HBO
        profile.study_year = 2
        profile.languages = ["nl", "en"]
        profile.weekdays = [Weekday.TUESDAY, Weekday.THURSDAY]
        profile.save()
        profile.themes.set(themes)
    elif user.role == Role.RESEARCHER:
        profile.institution = Institution.objects.get(name="Universiteit Leiden")
        profile.position = Position.BOTH
        profile.expertise = "Sociale netwerken van ouderen en eenzaamheid in de wijk."
        profile.save()
        profile.themes.set(themes)
