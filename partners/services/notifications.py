"""Who hears of what happens to a challenge, through the outbox."""

from django.conf import settings
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_coordinator
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from partners.enums import ChallengeAction
from partners.models import Challenge, ChallengeLogEntry, ChallengeMessage

# Transitions that put a challenge in front of the coordinators.
TO_COORDINATORS = frozenset({ChallengeAction.SUBMIT, ChallengeAction.RESUBMIT})


def challenge_recipients(*, challenge: Challenge, entry: ChallengeLogEntry) -> list[User]:
    """The people concerned by one log entry: the organisation's members and, for a
    (re)submission, the coordinators. Whoever acted already knows, so is left out."""
    people = User.objects.filter(is_active=True, memberships__organisation=challenge.organisation)
    if entry.action in TO_COORDINATORS:
        people = people | User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR)
    if entry.actor_id is not None:
        people = people.exclude(pk=entry.actor_id)
    return list(people.distinct().order_by("pk"))


def challenge_notify(*, challenge: Challenge, entry: ChallengeLogEntry) -> int:
    """Queue one mail per person concerned by a transition; returns how many were queued."""
    url = settings.SITE_URL + reverse("partners:challenge", args=[challenge.pk])
    queued = 0
    for person in challenge_recipients(challenge=challenge, entry=entry):
        message = message_render_and_queue(
            kind=MessageKind.CHALLENGE_UPDATES,
            template_prefix="partners/mail/challenge_transition",
            context={"challenge": challenge, "entry": entry, "url": url, "recipient": person},
            user=person,
            dedupe_key=f"challenge-log:{entry.pk}:{person.pk}",
        )
        queued += message is not None
    return queued


def message_notify(*, message: ChallengeMessage) -> int:
    """Tell the other side of the conversation about a new message.

    A partner's message goes to the coordinators; a coordinator's to the organisation's
    members. The author is never told of their own message.
    """
    challenge = message.challenge
    author = message.author
    from_coordinator = author is not None and is_coordinator(author)
    if from_coordinator:
        people = User.objects.filter(
            is_active=True, memberships__organisation=challenge.organisation
        )
    else:
        people = User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR)
    if author is not None:
        people = people.exclude(pk=author.pk)
    url = settings.SITE_URL + reverse("partners:challenge", args=[challenge.pk])
    queued = 0
    for person in people.distinct().order_by("pk"):
        queued += (
            message_render_and_queue(
                kind=MessageKind.CHALLENGE_UPDATES,
                template_prefix="partners/mail/challenge_message",
                context={
                    "challenge": challenge,
                    "message": message,
                    "url": url,
                    "recipient": person,
                },
                user=person,
            )
            is not None
        )
    return queued
