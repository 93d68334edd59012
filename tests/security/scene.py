"""One scene for the access proof: an owner for every kind of object, and the people who do
not own it.

Plain ORM writes through the factories, plus the services where a page needs what only a
service makes (a published schedule, a saved dossier): the tests then ask every page who
may see what.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from accounts.models import ErasureFailure, User
from events.calendars import calendar_feed_ensure
from events.models import CalendarFeed, Event, FollowUp, Meeting, Registration
from events.services.schedule import schedule_publish, schedule_save
from matching.enums import AllocationMode
from matching.models import AllocationRun
from outbox.enums import OPTIONAL_KINDS, ReminderKind
from outbox.models import Message, OptOut, Reminder, ReminderPause
from outbox.tokens import unsubscribe_token_make
from partners.enums import ChallengeAction, ChallengeState, CslLevel
from partners.models import (
    Challenge,
    ChallengeAttachment,
    ChallengeLogEntry,
    ChallengeMessage,
    Invitation,
    JoinRequest,
    Membership,
    OpLocatieOpening,
    Organisation,
    Theme,
)
from partners.services.organisations import invitation_token
from projects.enums import AdmissionMode, CohortState, EnrolmentState, HoursState
from projects.models import (
    Cohort,
    CohortLogEntry,
    Enrolment,
    HandoverDossier,
    HandoverProduct,
    HoursEntry,
    PartnerFeedback,
    Project,
    Reflection,
)
from projects.services.handover import dossier_for, dossier_save
from projects.services.hours import hours_link_token
from tests.events.test_schedule_service import closed_event, four_way
from tests.factories import (
    CoordinatorFactory,
    NeighbourhoodFactory,
    PartnerMemberFactory,
    ResearcherFactory,
    StudentFactory,
    ThemeFactory,
    UserFactory,
)
from tests.partners.factories import (
    AdminMembershipFactory,
    InvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.projects.cohort_factories import AcademicPeriodFactory
from tests.projects.factories import ChallengeFactory, CohortFactory, EnrolmentFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The people who own nothing in the scene, and the one whose object each page is about.
VIEWERS = ("anonymous", "student", "other_partner", "researcher", "owner")


@dataclass
class Scene:
    # Viewers who own nothing here.
    student: User
    other_partner: User
    researcher: User
    # Owners.
    partner: User
    team_student: User
    applicant: User
    registrant: User
    coordinator: User
    invitee: User
    newcomer: User
    # Objects.
    organisation: Organisation
    other_organisation: Organisation
    theme: Theme
    draft_challenge: Challenge
    attachment: ChallengeAttachment
    project: Project
    cohort: Cohort
    open_cohort: Cohort
    place: Enrolment
    application: Enrolment
    dossier: HandoverDossier
    product: HandoverProduct
    colleague_membership: Membership
    join_request: JoinRequest
    invitation: Invitation
    event: Event
    registration: Registration
    meeting: Meeting
    follow_up: FollowUp
    feed: CalendarFeed
    hours_token: str
    unsubscribe_token: str
    invitation_token: str
    email_key: str
    reset_uidb36: str
    reset_key: str
    # The rest of the access proof's viewers (tests/security/test_access_proof.py).
    other_group_student: User
    member: User
    staff: User
    superuser: User


def build_scene() -> Scene:
    theme = ThemeFactory(slug="buurt-en-ontmoeting", name="Buurt en ontmoeting")
    coordinator = CoordinatorFactory(name="Cora Coördinator")

    # A partner organisation, its administrator (the owner), a colleague, someone asking to
    # join and someone invited.
    partner = PartnerMemberFactory(name="Paul Partner")
    organisation = OrganisationFactory(name="Bibliotheek Noord", team_budget=10)
    AdminMembershipFactory(user=partner, organisation=organisation)
    colleague_membership = MembershipFactory(organisation=organisation)
    join_request = JoinRequestFactory(organisation=organisation)
    invitee = PartnerMemberFactory(name="Ilse Uitgenodigd", email="ilse@bibliotheek.example.org")
    invitation = InvitationFactory(
        organisation=organisation, email=invitee.email, invited_by=partner
    )

    other_partner = PartnerMemberFactory(name="Olga Ander")
    other_organisation = OrganisationFactory(name="Woonzorg Zuid")
    MembershipFactory(user=other_partner, organisation=other_organisation)

    student = StudentFactory(name="Sven Buiten")
    researcher = ResearcherFactory(name="Rachid Buiten")

    # The organisation's challenges: a draft with an attachment, and one that became a project.
    draft_challenge = ChallengeFactory(
        organisation=organisation, state=ChallengeState.DRAFT, submitted_at=None
    )
    attachment = ChallengeAttachment.objects.create(
        challenge=draft_challenge,
        file=SimpleUploadedFile("plattegrond.pdf", PDF),
        original_name="plattegrond.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=partner,
    )
    running = ChallengeFactory(organisation=organisation, title="Voorlezen in de wijk")
    project = _project(running, organisation, theme)

    # A group handing over, with its team member (the owner of the place, the hours, the
    # reflection and the dossier), and an open group with an application to decide on.
    period = AcademicPeriodFactory(name="Voorjaar 2026")
    cohort = CohortFactory(
        project=project,
        number=1,
        state=CohortState.HANDOVER,
        period=period,
        starts_on=timezone.localdate() - timedelta(weeks=8),
        ends_on=timezone.localdate() + timedelta(days=2),
        registration_opens_at=timezone.now() - timedelta(weeks=12),
        registration_closes_at=timezone.now() - timedelta(weeks=9),
    )
    team_student = StudentFactory(name="Tessa Team")
    place = EnrolmentFactory(cohort=cohort, student=team_student, state=EnrolmentState.MEMBER)
    open_cohort = CohortFactory(project=project, number=2, admission_mode=AdmissionMode.APPLICATION)
    applicant = StudentFactory(name="Aziz Aanmelder")
    application = EnrolmentFactory(
        cohort=open_cohort, student=applicant, state=EnrolmentState.APPLIED, motivation="Graag!"
    )
    dossier = dossier_for(cohort)
    dossier = dossier_save(
        dossier_id=dossier.pk,
        actor=team_student,
        base_version=dossier.version,
        fields={"summary": "Wij lazen voor aan kinderen in de wijk."},
    )
    product = HandoverProduct.objects.create(
        dossier=dossier, title="Verslag", file=SimpleUploadedFile("verslag.pdf", PDF), public=False
    )
    entry = HoursEntry.objects.create(
        enrolment=place,
        worked_on=timezone.localdate() - timedelta(days=3),
        hours=Decimal("2.5"),
        description="Voorlezen",
        state=HoursState.SUBMITTED,
    )
    Reflection.objects.create(enrolment=place, learned="Luisteren.", contribution="Voorlezen.")
    PartnerFeedback.objects.create(
        cohort=cohort, organisation=organisation, author=partner, rating=4, went_well="Fijn."
    )

    # A Meet & Match with a published schedule: the registrant owns the registration, its
    # seats, a follow-up and a calendar feed.
    event, registrations = closed_event(people=4)
    schedule_save(event_id=event.pk, proposal=four_way(*registrations), actor=coordinator)
    schedule_publish(event_id=event.pk, actor=coordinator)
    registration = registrations[0]
    registrant = registration.person
    meeting = Meeting.objects.filter(seats__registration=registration).order_by("round").first()
    follow_up = FollowUp.objects.create(registration=registration, meeting=meeting)
    feed = calendar_feed_ensure(person=registrant)

    # Someone who signed up and has not confirmed their address, nor reset their password.
    newcomer = UserFactory(name="Nina Nieuw", email="nina@example.org", verified=False)
    address = EmailAddress.objects.create(
        user=newcomer, email=newcomer.email, primary=True, verified=False
    )

    # A student in the project's other group, who is no member of the first.
    other_group_student = StudentFactory(name="Olaf Andergroep")
    EnrolmentFactory(cohort=open_cohort, student=other_group_student, state=EnrolmentState.MEMBER)
    superuser = UserFactory(
        name="Sanne Super",
        email="sanne@lerenmetdestad.nl",
        role=Role.COORDINATOR,
        is_staff=True,
        is_superuser=True,
    )
    staff = _admin_rows(coordinator=coordinator, person=team_student, cohort=cohort)

    return Scene(
        student=student,
        other_partner=other_partner,
        researcher=researcher,
        partner=partner,
        team_student=team_student,
        applicant=applicant,
        registrant=registrant,
        coordinator=coordinator,
        invitee=invitee,
        newcomer=newcomer,
        organisation=organisation,
        other_organisation=other_organisation,
        theme=theme,
        draft_challenge=draft_challenge,
        attachment=attachment,
        project=project,
        cohort=cohort,
        open_cohort=open_cohort,
        place=place,
        application=application,
        dossier=dossier,
        product=product,
        colleague_membership=colleague_membership,
        join_request=join_request,
        invitation=invitation,
        event=Event.objects.get(pk=event.pk),
        registration=registration,
        meeting=meeting,
        follow_up=follow_up,
        feed=feed,
        hours_token=hours_link_token(entry_id=entry.pk, decider_id=partner.pk),
        unsubscribe_token=unsubscribe_token_make(user_id=team_student.pk, kind=OPTIONAL_KINDS[0]),
        invitation_token=invitation_token(invitation),
        email_key=EmailConfirmationHMAC(address).key,
        reset_uidb36=user_pk_to_url_str(newcomer),
        reset_key=default_token_generator.make_token(newcomer),
        other_group_student=other_group_student,
        member=colleague_membership.user,
        staff=staff,
        superuser=superuser,
    )


def _project(challenge: Challenge, organisation: Organisation, theme: Theme) -> Project:
    # Imported factories build the project's theme themselves; this one joins ours.
    project = Project.objects.create(
        challenge=challenge,
        title="Voorlezen in de wijk",
        slug="voorlezen-in-de-wijk",
        summary="Samen met bewoners voorlezen aan kinderen.",
        csl_level=CslLevel.MEDIUM,
        institution_kinds=["mbo", "hbo", "wo"],
        weekdays=[2],
        hours_per_week=6,
    )
    project.themes.set([theme])
    project.organisations.set([organisation])
    return project


def _admin_rows(*, coordinator: User, person: User, cohort: Cohort) -> User:
    """At least one row in every model the admin registers, so every action has something to
    act on."""
    Message.objects.create(
        recipient=person,
        to_email=person.email,
        kind=OPTIONAL_KINDS[0],
        language="nl",
        subject="Welkom",
        body_text="Welkom bij Leren met de Stad.",
        dedupe_key=f"security-scene-{person.pk}",
    )
    Reminder.objects.create(
        kind=ReminderKind.values[0], subject=f"cohort:{cohort.pk}", recipient=person
    )
    ReminderPause.objects.create(kind=ReminderKind.values[0], paused_by=coordinator)
    OptOut.objects.create(user=person, kind=OPTIONAL_KINDS[0])
    SocialAccount.objects.create(user=person, provider="surfconext", uid=f"scene-{person.pk}")
    OpLocatieOpening.objects.create(
        weekday=2, opens_at=time(10), closes_at=time(16), valid_from=date(2026, 1, 1)
    )
    run = AllocationRun.objects.create(mode=AllocationMode.WELFARE, created_by=coordinator)
    run.cohorts.set([cohort])
    NeighbourhoodFactory(name="De Kooi", slug="de-kooi")
    # Messages and log lines, which coordinators may redact words from.
    challenge = cohort.project.challenge
    ChallengeMessage.objects.create(challenge=challenge, author=coordinator, body="Welkom.")
    ChallengeLogEntry.objects.create(
        challenge=challenge, actor=coordinator, action=ChallengeAction.START, message="Gestart."
    )
    CohortLogEntry.objects.create(cohort=cohort, actor=coordinator, action="edit", message="Ok.")
    ErasureFailure.objects.create(user=person, reason="Een plaats loopt nog.")
    # A staff account without the coordinator role, for the admin part of the proof.
    staff = UserFactory(role=Role.PARTNER, is_staff=True, name="Stef Staf")
    staff.groups.add(Group.objects.get(name="Coordinators"))
    return staff
