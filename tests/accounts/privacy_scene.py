"""A person who did everything the platform offers, among others who wrote about them.

Used by the download test (everything is in it) and the erasure tests (exactly this person's
rows change). The person acts in every role at once on purpose: the data model allows it, and
a download or an erasure must not depend on the role.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from events.enums import EventState, RegistrationState, RoleAtEvent
from events.models import CalendarFeed, FollowUp, Meeting, MeetingSeat
from matching.enums import AllocationMode
from matching.models import AllocationRun, Placement
from outbox.enums import MessageKind, ReminderKind
from outbox.models import OptOut, Reminder
from outbox.services.queueing import message_queue
from partners.enums import ChallengeAction, MembershipRole
from partners.models import ChallengeAttachment, ChallengeLogEntry, ChallengeMessage
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import (
    ApplicantRank,
    CohortLogEntry,
    CohortPreference,
    HandoverDossier,
    HandoverDossierVersion,
    HandoverProduct,
    HoursEntry,
    PartnerFeedback,
    Reflection,
)
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import ThemeFactory, UserFactory
from tests.partners.factories import JoinRequestFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import (
    ChallengeFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
)


@dataclass
class Everything:
    """What data_everywhere made, for the tests to compare against."""

    membership: object
    join_request: object
    enrolments: list
    reflection: object
    hours: list
    preference: object
    applicant_rank: object
    registration: object
    other_registration: object
    follow_up: object
    message: object
    placement: object
    dossier: object
    version: object
    challenge_message: object
    institution_account: object


def data_everywhere(person, *, rows: int = 1, other=None) -> Everything:
    """Give `person` a row in every table that holds something about them.

    `rows` enrolments (each with hours) so that tests can compare one with many; `other` is
    the person at their Meet & Match table.
    """
    profile = person.student_profile
    theme = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")
    profile.themes.set([theme])
    profile.languages, profile.weekdays = ["nl", "en"], [1, 3]
    profile.save()

    institution_account = SocialAccount.objects.create(
        user=person,
        provider="surfconext",
        uid="pseudonym-of-sanne",
        extra_data={"eduperson_affiliation": ["student"], "schac_home_organization": "hsleiden.nl"},
    )
    # Tokens are never stored (settings.py); one here shows the download would leave it out.
    SocialToken.objects.create(account=institution_account, token="access-token-not-for-you")
    if other is not None:
        SocialAccount.objects.create(user=other, provider="surfconext", uid="someone-else")
    membership = MembershipFactory(
        user=person,
        organisation=OrganisationFactory(name="Buurthuis De Kooi"),
        role=MembershipRole.MEMBER,
    )
    join_request = JoinRequestFactory(
        user=person, organisation=OrganisationFactory(name="Bibliotheek Leiden")
    )
    project = ProjectFactory(title="Taalcafé Noord")
    enrolments, hours = [], []
    for number in range(1, rows + 1):
        cohort = CohortFactory(project=project, number=number, state=CohortState.COMPLETED)
        enrolment = EnrolmentFactory(
            cohort=cohort,
            student=person,
            state=EnrolmentState.COMPLETED,
            motivation=f"Ik wil graag helpen in groep {number}.",
        )
        enrolments.append(enrolment)
        hours.append(
            HoursEntry.objects.create(
                enrolment=enrolment,
                worked_on=cohort.starts_on,
                hours=Decimal("2.5"),
                description="Gesprekken met bezoekers",
                state=HoursState.SUBMITTED,
            )
        )
    reflection = Reflection.objects.create(
        enrolment=enrolments[0],
        learned="Luisteren voordat ik iets voorstel.",
        contribution="Meer bezoekers kwamen terug.",
        next_time="Eerder beginnen.",
    )
    later = CohortFactory(project=ProjectFactory(title="Buurtmoestuin"), number=1)
    preference = CohortPreference.objects.create(student=person, cohort=later, rank=1)
    applicant_rank = ApplicantRank.objects.create(project=later.project, student=person, rank=1)

    event = EventFactory(title="Meet & Match najaar", state=EventState.HELD)
    registration = RegistrationFactory(
        event=event,
        person=person,
        role_at_event=RoleAtEvent.STUDENT,
        brings="Ervaring met taalles.",
        seeks="Een onderzoeker die meedenkt.",
        state=RegistrationState.REGISTERED,
        themes=[theme],
    )
    other_registration = RegistrationFactory(event=event, person=other)
    registration.wants_to_meet.set([other_registration])
    meeting = Meeting.objects.create(event=event, round=1, table=1, reason="Jullie delen taal.")
    follow_up = FollowUp.objects.create(
        registration=registration,
        meeting=meeting,
        with_person=other,
        planned_on=timezone.localdate() + timedelta(days=7),
        note="Koffie bij de bibliotheek.",
    )

    message = message_queue(
        to_email=person.email,
        kind=MessageKind.ACCOUNT,
        subject="Welkom bij Leren met de Stad",
        body_text=f"Hallo {person.name}, welkom.",
        language="nl",
        user=person,
    )
    run = AllocationRun.objects.create(mode=AllocationMode.WELFARE)
    placement = Placement.objects.create(run=run, student=person, cohort=later, rank=1)
    dossier = HandoverDossier.objects.create(
        cohort=enrolments[0].cohort, summary="Wekelijks taalcafé", version=1, updated_by=person
    )
    version = HandoverDossierVersion.objects.create(
        dossier=dossier, number=1, content={"summary": "Wekelijks taalcafé"}, saved_by=person
    )
    challenge_message = ChallengeMessage.objects.create(
        challenge=project.challenge, author=person, body="Wanneer kunnen we langskomen?"
    )
    return Everything(
        membership=membership,
        join_request=join_request,
        enrolments=enrolments,
        reflection=reflection,
        hours=hours,
        preference=preference,
        applicant_rank=applicant_rank,
        registration=registration,
        other_registration=other_registration,
        follow_up=follow_up,
        message=message,
        placement=placement,
        dossier=dossier,
        version=version,
        challenge_message=challenge_message,
        institution_account=institution_account,
    )


@dataclass
class Scene:
    made: Everything
    challenge: object
    attachment: object
    feedback: object
    decided: object
    product: object
    feed: object
    opt_out: object
    reminder: object
    seat: object
    quoted_mail: object


def scene_everything(person: User, *, other: User, coordinator: User) -> Scene:
    """`person` has a row in every table that holds something about someone; `other` and
    `coordinator` wrote about them, by name and address, in mail, logs and notes."""
    made = data_everywhere(person, other=other)
    project = made.enrolments[0].cohort.project
    organisation = made.membership.organisation

    challenge = ChallengeFactory(
        organisation=organisation,
        created_by=person,
        title="Samen lezen in Noord",
        contact_name=person.name,
        contact_email=person.email.upper(),
        contact_phone="071 123 45 67",
    )
    attachment = ChallengeAttachment.objects.create(
        challenge=challenge,
        file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"),
        original_name="plan van aanpak.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=person,
    )
    feedback = PartnerFeedback.objects.create(
        cohort=made.enrolments[0].cohort,
        organisation=organisation,
        author=person,
        rating=4,
        went_well="Goede gesprekken.",
        could_improve="Eerder beginnen.",
    )
    someone_elses_place = EnrolmentFactory(cohort=made.enrolments[0].cohort)
    decided = HoursEntry.objects.create(
        enrolment=someone_elses_place,
        worked_on=someone_elses_place.cohort.starts_on,
        hours=Decimal("3.0"),
        description="Voorlezen",
        state=HoursState.CONFIRMED,
        decided_by=person,
        decided_at=timezone.now(),
    )
    product = HandoverProduct.objects.create(
        dossier=made.dossier,
        title="Verslag",
        file=ContentFile(b"verslag", name="verslag.txt"),
        added_by=person,
    )
    feed = CalendarFeed.objects.create(person=person)
    opt_out = OptOut.objects.create(user=person, kind=MessageKind.NEW_PROJECTS_DIGEST)
    reminder = Reminder.objects.create(
        kind=ReminderKind.REGISTRATION_CLOSING, subject="cohort:1", recipient=person
    )
    seat = MeetingSeat.objects.create(
        meeting=made.follow_up.meeting, registration=made.registration, round=1
    )

    # What others wrote about the person stays theirs: mail to someone else, log lines.
    quoted_mail = message_queue(
        to_email=other.email,
        kind=MessageKind.ACCOUNT,
        subject=f"{person.name} doet mee",
        body_text=f"{person.name} ({person.email}) heeft zich aangemeld.",
        language="nl",
        user=other,
    )
    CohortLogEntry.objects.create(
        cohort=made.enrolments[0].cohort,
        actor=coordinator,
        action="note",
        message=f"{person.name} is naar een andere groep gegaan.",
        data={"student": person.name, "mail": person.email},
    )
    ChallengeLogEntry.objects.create(
        challenge=challenge, actor=person, action=ChallengeAction.EDIT, message="Titel aangepast"
    )
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Name"]}}]',
    )
    project.lecturers.add(person)
    return Scene(
        made=made,
        challenge=challenge,
        attachment=attachment,
        feedback=feedback,
        decided=decided,
        product=product,
        feed=feed,
        opt_out=opt_out,
        reminder=reminder,
        seat=seat,
        quoted_mail=quoted_mail,
    )


def bystander_named(name: str) -> User:
    """Someone else with the same name, who has a mail and a place of their own."""
    bystander = UserFactory(name=name, email="naamgenoot@example.org")
    message_queue(
        to_email=bystander.email,
        kind=MessageKind.ACCOUNT,
        subject="Welkom",
        body_text=f"Hallo {name}, welkom.",
        language="nl",
        user=bystander,
    )
    return bystander
