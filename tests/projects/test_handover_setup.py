"""The cast and scene of the handover tests, shared by the test_handover* modules.

A library hosts "Voorlezen in de wijk". Group 1 is handing over: Sanne (the cast's student)
and Tom wrote its dossier. Group 2 starts later: Nina is in it. Paul (the cast's partner
member) is a member of the library; Lotte lectures the project. Everyone reads English, the
language of our msgids.
"""

from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from partners.models import Organisation
from projects.enums import CohortState, DossierState, EnrolmentState
from projects.models import Cohort, HandoverDossier, HandoverProduct, Project
from projects.services.handover import dossier_for, dossier_save
from tests.factories import ResearcherFactory, StudentFactory
from tests.partners.challenge_setup import speaks_english
from tests.partners.factories import MembershipFactory
from tests.projects.cohort_factories import cohort_in, organisation, project_of
from tests.projects.factories import EnrolmentFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Scene:
    library: Organisation
    project: Project
    first: Cohort
    second: Cohort
    sanne: User
    tom: User
    nina: User
    paul: User
    lotte: User


def build_scene(*, student: User, partner_member: User, first_state=CohortState.HANDOVER) -> Scene:
    library = organisation(name="Bibliotheek Noord")
    MembershipFactory(user=partner_member, organisation=library)
    project = project_of(library, title="Voorlezen in de wijk")
    lotte = speaks_english(ResearcherFactory(name="Lotte Docent", email="lotte@hsleiden.nl"))
    project.lecturers.add(lotte)
    first = cohort_in(
        first_state,
        project=project,
        number=1,
        starts_on=date(2026, 2, 2),
        ends_on=date(2026, 3, 27),
    )
    second = cohort_in(
        CohortState.OPEN,
        project=project,
        number=2,
        starts_on=date(2026, 4, 13),
        ends_on=date(2026, 6, 5),
    )
    tom = speaks_english(StudentFactory(name="Tom Teamgenoot", email="tom@student.hsleiden.nl"))
    nina = speaks_english(StudentFactory(name="Nina Nieuw", email="nina@student.hsleiden.nl"))
    for person in (student, tom):
        EnrolmentFactory(cohort=first, student=person, state=EnrolmentState.MEMBER)
    EnrolmentFactory(cohort=second, student=nina, state=EnrolmentState.MEMBER)
    return Scene(
        library=library,
        project=project,
        first=first,
        second=second,
        sanne=speaks_english(student),
        tom=tom,
        nina=nina,
        paul=speaks_english(partner_member),
        lotte=lotte,
    )


def written(scene: Scene, **fields) -> HandoverDossier:
    """Group 1's dossier with this text, saved by Sanne."""
    dossier = dossier_for(scene.first)
    return dossier_save(
        dossier_id=dossier.pk, actor=scene.sanne, base_version=dossier.version, fields=fields
    )


def in_state(dossier: HandoverDossier, state: DossierState) -> HandoverDossier:
    """Put a dossier in a state directly, to test what follows from it."""
    dossier.state = state
    dossier.submitted_at = timezone.now()
    if state in (DossierState.APPROVED, DossierState.CHANGES_REQUESTED):
        dossier.decided_at = timezone.now()
    dossier.save()
    return dossier


def file_product(dossier: HandoverDossier, *, title: str, public: bool) -> HandoverProduct:
    return HandoverProduct.objects.create(
        dossier=dossier,
        title=title,
        file=SimpleUploadedFile("verslag.pdf", PDF),
        public=public,
    )


def link_product(dossier: HandoverDossier, *, title: str, public: bool) -> HandoverProduct:
    return HandoverProduct.objects.create(
        dossier=dossier, title=title, url="https://example.org/poster", public=public
    )
