"""The scenes of the handover and Meet & Match journeys, set with the suite's factories.

Only the starting point is written straight to the database: everything the journeys are
about (writing, submitting, approving, registering, building and publishing a schedule,
following up) happens in the browser. Everyone reads Dutch, the site's first language.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from events.enums import RoleAtEvent
from events.models import Event, Registration
from projects.enums import CohortState, EnrolmentState
from projects.models import Cohort, Project
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    CoordinatorFactory,
    PartnerMemberFactory,
    ResearcherFactory,
    StudentFactory,
    ThemeFactory,
)
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory


@dataclass
class HandoverScene:
    project: Project
    first: Cohort  # handing over: Sanne and Tom write its dossier
    second: Cohort  # the next group: Nina reads what the first handed over
    sanne: User
    tom: User
    nina: User
    paul: User  # a member of the library, the project's partner


def handover_scene() -> HandoverScene:
    """Bibliotheek Noord hosts "Voorlezen in de wijk". Group 1 worked nine weeks and ended a
    week ago, so it is handing over; group 2 starts in three weeks."""
    today = timezone.localdate()
    library = OrganisationFactory(name="Bibliotheek Noord", slug="bibliotheek-noord")
    paul = PartnerMemberFactory(name="Paul Partner", email="paul@bibliotheekleiden.nl")
    MembershipFactory(user=paul, organisation=library)
    project = ProjectFactory(
        title="Voorlezen in de wijk", challenge__organisation=library, organisations=[library]
    )
    first = CohortFactory(
        project=project,
        number=1,
        state=CohortState.HANDOVER,
        starts_on=today - timedelta(days=63),
        ends_on=today - timedelta(days=7),
    )
    second = CohortFactory(project=project, number=2)
    sanne = StudentFactory(name="Sanne Student", email="sanne@student.hsleiden.nl")
    tom = StudentFactory(name="Tom Teamgenoot", email="tom@student.hsleiden.nl")
    nina = StudentFactory(name="Nina Nieuw", email="nina@student.hsleiden.nl")
    for student in (sanne, tom):
        EnrolmentFactory(cohort=first, student=student, state=EnrolmentState.MEMBER)
    EnrolmentFactory(cohort=second, student=nina, state=EnrolmentState.MEMBER)
    return HandoverScene(
        project=project, first=first, second=second, sanne=sanne, tom=tom, nina=nina, paul=paul
    )


@dataclass
class MeetAndMatchScene:
    event: Event
    researcher: User  # registers in the journey
    coordinator: User
    others: list[Registration]  # already registered, so there is someone to meet


def meet_and_match_scene() -> MeetAndMatchScene:
    """A published Meet & Match about loneliness, in three weeks at Op Locatie: three
    rounds at two tables for two. Three people registered already; with Rachid, who
    registers in the journey, four people fill every seat and meet each other once."""
    loneliness = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")
    event = EventFactory(
        title="Meet & Match Eenzaamheid",
        slug="meet-en-match-eenzaamheid",
        rounds=3,
        tables=2,
        seats_per_table=2,
        minutes_per_round=20,
        capacity=10,
        themes=[loneliness],
    )
    event.first_round_at = event.starts_at + timedelta(minutes=30)
    event.save(update_fields=["first_round_at"])
    others = [
        RegistrationFactory(
            event=event,
            person=PartnerMemberFactory(name="Bram Bos", email="bram@buurthuis.example.org"),
            role_at_event=RoleAtEvent.PRACTITIONER,
            brings="Een buurthuis in Leiden-Noord met een koffieochtend.",
            seeks="Onderzoek naar wie er niet komt.",
            themes=[loneliness],
        ),
        RegistrationFactory(
            event=event,
            person=ResearcherFactory(name="Carla Claes", email="carla@hsleiden.nl"),
            brings="Onderzoek naar buurtnetwerken.",
        ),
        RegistrationFactory(
            event=event,
            person=ResearcherFactory(name="Dirk Dekker", email="dirk@leidenuniv.nl"),
            brings="Lessen over interviews met bewoners.",
        ),
    ]
    researcher = ResearcherFactory(name="Rachid Onderzoeker", email="rachid@leidenuniv.nl")
    coordinator = CoordinatorFactory(name="Cora Coördinator", email="cora@lerenmetdestad.nl")
    return MeetAndMatchScene(
        event=event, researcher=researcher, coordinator=coordinator, others=others
    )
