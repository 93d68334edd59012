"""Follow-ups: after the event, a participant marks a meeting worth continuing, plans the next
appointment, and turns it into a draft challenge or links it to a challenge or project.

A follow-up belongs to one registration; only its person acts on it (the views look it up
by the signed-in person, so anyone else gets a 404 before reaching these functions).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from events.enums import EventState, RegistrationState, RoleAtEvent
from events.models import Event, FollowUp, Meeting, MeetingSeat, Registration
from events.services.errors import EventError
from lerenmetdestad.locking import lock_rows
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from partners.enums import PUBLIC_STATES, ChallengeState
from partners.models import Challenge, Membership, Organisation
from partners.services.challenges import challenge_create
from partners.services.errors import ChallengeError
from projects.models import Project

TITLE_MAX = 120


def follow_up_open(event: Event, *, now: datetime | None = None) -> bool:
    """Follow-ups are for after the event: it is held, or scheduled and its end has passed."""
    now = now or timezone.now()
    return event.state == EventState.HELD or (
        event.state == EventState.SCHEDULED and event.ends_at <= now
    )


def follow_up_record(
    *,
    registration: Registration,
    meeting: Meeting,
    with_person: User | None,
    planned_on: date | None,
    note: str,
    now: datetime | None = None,
) -> FollowUp:
    """Mark a meeting worth continuing, or change that mark: with whom and when to meet next.

    `with_person` must be one of the others at that meeting. Recording the same meeting
    again updates the one follow-up (the database allows one per registration and meeting).
    Side effects: one FollowUp row written, under the registration's row lock.
    """
    now = now or timezone.now()
    note = note.strip()
    with transaction.atomic():
        registration = lock_rows(
            Registration.objects.select_related("event", "person"), of=("self",)
        ).get(pk=registration.pk)
        event = registration.event
        if registration.state != RegistrationState.REGISTERED:
            raise EventError(_("Only people who took part can plan a follow-up."))
        if not follow_up_open(event, now=now):
            raise EventError(_("You can plan follow-ups after the event."))
        if meeting.event_id != event.pk or not _seated(registration.pk, meeting.pk):
            raise EventError(_("You were not at this meeting."))
        others = set(
            MeetingSeat.objects.filter(meeting=meeting)
            .exclude(registration=registration)
            .values_list("registration__person_id", flat=True)
        )
        if with_person is None:
            raise EventError(_("Choose whom you will meet again."), field="with_person")
        if with_person.pk not in others:
            raise EventError(
                _("Choose someone who was at this meeting with you."), field="with_person"
            )
        if planned_on is not None and planned_on < timezone.localdate(event.starts_at):
            raise EventError(
                _("The follow-up appointment cannot be before the event."), field="planned_on"
            )
        follow_up, _created = FollowUp.objects.update_or_create(
            registration=registration,
            meeting=meeting,
            defaults={"with_person": with_person, "planned_on": planned_on, "note": note},
            create_defaults={
                "with_person": with_person,
                "planned_on": planned_on,
                "note": note,
                "created_at": now,
            },
        )
    return follow_up


@dataclass(frozen=True)
class ChallengeHost:
    """Who the draft challenge is written for: a practitioner at the meeting and the
    organisations they belong to."""

    person: User
    organisations: tuple[Organisation, ...]


def challenge_host(follow_up: FollowUp) -> ChallengeHost | None:
    """The practitioner at the meeting whose organisation the draft is for, or None.

    Preference: the person the follow-up is with, then the participant themselves, then
    anyone else at the table. Only people there as practitioners and members of an
    organisation count.
    """
    practitioners = list(
        MeetingSeat.objects.filter(
            meeting_id=follow_up.meeting_id,
            registration__role_at_event=RoleAtEvent.PRACTITIONER,
        )
        .select_related("registration__person")
        .order_by("registration__person__name", "pk")
    )
    people = [seat.registration.person for seat in practitioners]
    memberships: dict[int, list[Organisation]] = {}
    for membership in (
        Membership.objects.filter(user__in=people)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    ):
        memberships.setdefault(membership.user_id, []).append(membership.organisation)

    def rank(person: User) -> int:
        if person.pk == follow_up.with_person_id:
            return 0
        return 1 if person.pk == follow_up.registration.person_id else 2

    for person in sorted(people, key=rank):
        if person.pk in memberships:
            return ChallengeHost(person=person, organisations=tuple(memberships[person.pk]))
    return None


def follow_up_to_challenge(
    *,
    follow_up_id: int,
    actor: User,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> Challenge:
    """Turn a follow-up into a draft challenge for the partner's organisation, and link it.

    The draft is written through partners' challenge_create by the practitioner at the
    meeting (see challenge_host), who must be a member of an organisation: the question is
    the follow-up's note, the background says where it came from. With several
    organisations, `organisation_id` chooses one of them. The draft stays a draft: the
    partner reads it, changes it and submits it, or not.
    Side effects: a Challenge (draft) with its log entry, which names the actor as the one
    who wrote it; FollowUp.challenge set; when the
    participant is not the practitioner, one mail telling the practitioner about the draft.
    """
    now = now or timezone.now()
    with transaction.atomic():
        follow_up = _lock_own(follow_up_id, actor)
        if follow_up.challenge_id is not None:
            raise EventError(_("This follow-up is already linked to a challenge."))
        if not follow_up.note:
            raise EventError(
                _("Write a note first: it becomes the question of the challenge."), field="note"
            )
        host = challenge_host(follow_up)
        if host is None:
            raise EventError(
                _(
                    "Nobody at this meeting is a member of a partner organisation, so there is "
                    "no organisation to write a challenge for."
                )
            )
        organisation = _choose(host, organisation_id)
        meeting = follow_up.meeting
        event = meeting.event
        partner_registration = Registration.objects.filter(event=event, person=host.person).first()
        try:
            challenge = challenge_create(
                organisation=organisation,
                author=host.person,
                written_by=actor,
                data={
                    "title": _title(follow_up.note),
                    "question": follow_up.note,
                    "background": _(
                        "This question came from a meeting at %(event)s on %(date)s, between "
                        "%(people)s. Why they met: %(reason)s"
                    )
                    % {
                        "event": event.title,
                        "date": timezone.localtime(event.starts_at).date().isoformat(),
                        "people": _names(meeting),
                        "reason": meeting.reason or "-",
                    },
                    "contact_name": host.person.name,
                    "contact_email": host.person.email,
                    "themes": list(partner_registration.themes.all())
                    if partner_registration
                    else [],
                },
                now=now,
            )
        except ChallengeError as error:
            raise EventError(str(error)) from error
        follow_up.challenge = challenge
        follow_up.save(update_fields=["challenge"])
        if host.person.pk != actor.pk:
            message_render_and_queue(
                kind=MessageKind.CHALLENGE_UPDATES,
                template_prefix="events/mail/schedule_follow_up_challenge",
                context={
                    "challenge": challenge,
                    "event": event,
                    "author": actor,
                    "partner": host.person,
                    "url": settings.SITE_URL + challenge.get_absolute_url(),
                },
                user=host.person,
                dedupe_key=f"follow-up-challenge:{follow_up.pk}:{challenge.pk}",
            )
    return challenge


@dataclass(frozen=True)
class LinkTargets:
    challenges: tuple[Challenge, ...]
    projects: tuple[Project, ...]


def link_targets(follow_up: FollowUp) -> LinkTargets:
    """What a follow-up may be linked to as research interest: the challenges and projects
    of the organisations of the people at the meeting, and projects they teach in.

    Challenges that are not public yet count only for the participant's own organisations.
    """
    people = list(
        MeetingSeat.objects.filter(meeting_id=follow_up.meeting_id).values_list(
            "registration__person_id", flat=True
        )
    )
    organisations = Membership.objects.filter(user_id__in=people).values("organisation_id")
    own = Membership.objects.filter(user_id=follow_up.registration.person_id).values(
        "organisation_id"
    )
    challenges = (
        Challenge.objects.filter(organisation_id__in=organisations)
        .filter(
            Q(state__in=PUBLIC_STATES)
            | (Q(organisation_id__in=own) & ~Q(state=ChallengeState.DRAFT))
        )
        .select_related("organisation")
        .order_by("organisation__name", "title", "pk")
    )
    projects = (
        Project.objects.filter(
            Q(organisations__in=organisations.values("organisation_id")) | Q(lecturers__in=people)
        )
        .distinct()
        .order_by("title", "pk")
    )
    return LinkTargets(challenges=tuple(challenges), projects=tuple(projects))


def follow_up_link(
    *,
    follow_up_id: int,
    actor: User,
    challenge_id: int | None = None,
    project_id: int | None = None,
) -> FollowUp:
    """Link a follow-up to an existing challenge or project as research interest.

    Exactly one of challenge_id and project_id; it must be one of link_targets().
    Side effects: FollowUp.challenge or FollowUp.project set.
    """
    if (challenge_id is None) == (project_id is None):
        raise EventError(_("Choose one challenge or one project."))
    with transaction.atomic():
        follow_up = _lock_own(follow_up_id, actor)
        targets = link_targets(follow_up)
        if challenge_id is not None:
            if challenge_id not in {c.pk for c in targets.challenges}:
                raise EventError(_("You cannot link this challenge."), field="challenge")
            follow_up.challenge_id = challenge_id
            follow_up.save(update_fields=["challenge"])
        else:
            if project_id not in {p.pk for p in targets.projects}:
                raise EventError(_("You cannot link this project."), field="project")
            follow_up.project_id = project_id
            follow_up.save(update_fields=["project"])
    return follow_up


def _lock_own(follow_up_id: int, actor: User) -> FollowUp:
    follow_up = (
        lock_rows(FollowUp.objects.select_related("registration", "meeting__event"), of=("self",))
        .filter(pk=follow_up_id, registration__person_id=actor.pk)
        .first()
    )
    if follow_up is None:
        raise EventError(_("This follow-up is not yours."))
    return follow_up


def _seated(registration_id: int, meeting_id: int) -> bool:
    return MeetingSeat.objects.filter(
        registration_id=registration_id, meeting_id=meeting_id
    ).exists()


def _choose(host: ChallengeHost, organisation_id: int | None) -> Organisation:
    if organisation_id is None:
        if len(host.organisations) == 1:
            return host.organisations[0]
        raise EventError(
            _("%(name)s is a member of several organisations: choose one.")
            % {"name": host.person.name},
            field="organisation",
        )
    for organisation in host.organisations:
        if organisation.pk == organisation_id:
            return organisation
    raise EventError(
        _("%(name)s is not a member of that organisation.") % {"name": host.person.name},
        field="organisation",
    )


def _title(note: str) -> str:
    first_line = next((line.strip() for line in note.splitlines() if line.strip()), "")
    return Truncator(first_line).chars(TITLE_MAX)


def _names(meeting: Meeting) -> str:
    names = list(
        MeetingSeat.objects.filter(meeting=meeting)
        .order_by("registration__person__name")
        .values_list("registration__person__name", flat=True)
    )
    return ", ".join(names)
