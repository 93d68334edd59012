"""A person who did everything the platform offers, among others who wrote about them.

Used by the download test (everything is in it) and the erasure tests (exactly this person's
rows change). The person acts in every role at once on purpose: the data model allows it, and
a download or an erasure must not depend on the role.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from events.models import CalendarFeed, MeetingSeat
from outbox.enums import MessageKind, ReminderKind
from outbox.models import OptOut, Reminder
from outbox.services.queueing import message_queue
from partners.enums import ChallengeAction
from partners.models import ChallengeAttachment, ChallengeLogEntry
from projects.enums import HoursState
from projects.models import CohortLogEntry, HandoverProduct, HoursEntry, PartnerFeedback
from tests.accounts.test_privacy_export import Everything, data_everywhere
from tests.factories import UserFactory
from tests.projects.factories import ChallengeFactory, EnrolmentFactory


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
