"""What partners holds about a person: memberships, requests, challenges they wrote or are the
contact of, files they attached, and what they decided. Collected by accounts.privacy.registry."""

from django.db.models import QuerySet

from accounts.privacy.formats import acted, when
from accounts.privacy.registry import (
    Anonymise,
    Blank,
    Delete,
    ErasureContext,
    Keep,
    PersonalData,
    Section,
    register,
)
from accounts.privacy.retention import register_retention_step
from partners.retention import attachments_of_ended_challenges_delete

ORGANISATIONS_RECORD = (
    "the organisation's record of its challenge, which its projects and the city's figures "
    "build on; it names the anonymous account"
)


def _memberships(memberships: QuerySet) -> list[dict]:
    return [
        {
            "organisation": membership.organisation.name,
            "role": membership.role,
            "since": when(membership.created_at),
        }
        for membership in memberships.select_related("organisation").order_by("created_at", "pk")
    ]


def _join_requests(requests: QuerySet) -> list[dict]:
    return [
        {
            "organisation": request.organisation.name,
            "message": request.message,
            "status": request.status,
            "asked_at": when(request.created_at),
        }
        for request in requests.select_related("organisation").order_by("created_at", "pk")
    ]


def _challenges(challenges: QuerySet) -> list[dict]:
    return [
        {
            "title": challenge.title,
            "organisation": challenge.organisation.name,
            "state": challenge.state,
            "created_at": when(challenge.created_at),
        }
        for challenge in challenges.select_related("organisation").order_by("created_at", "pk")
    ]


def _contact_of(challenges: QuerySet) -> list[dict]:
    return [
        {
            "challenge": challenge.title,
            "contact_name": challenge.contact_name,
            "contact_email": challenge.contact_email,
            "contact_phone": challenge.contact_phone,
        }
        for challenge in challenges.order_by("created_at", "pk")
    ]


def _attachments(attachments: QuerySet) -> list[dict]:
    return [
        {
            "challenge": attachment.challenge.title,
            "file_name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "uploaded_at": when(attachment.uploaded_at),
            # The file itself is in the download's ZIP, under bestanden/ by this name.
            "file": attachment.file.name,
        }
        for attachment in attachments.select_related("challenge").order_by("uploaded_at", "pk")
    ]


def _messages(messages: QuerySet) -> list[dict]:
    return [
        {
            "challenge": message.challenge.title,
            "message": message.body,
            "sent_at": when(message.created_at),
        }
        for message in messages.select_related("challenge").order_by("created_at", "pk")
    ]


def _invitation_anonymise(invitations: QuerySet, context: ErasureContext) -> None:
    invitations.update(email=context.erased_email)


def _title(row) -> str:
    return row.challenge.title


def register_declarations() -> None:
    register_retention_step("challenge_attachments", attachments_of_ended_challenges_delete)
    register(
        PersonalData(
            model="partners.Membership",
            person="user",
            fields=("user", "organisation", "role"),
            download=Section("memberships", _memberships),
            erase=Delete(),
        ),
        PersonalData(
            model="partners.JoinRequest",
            person="user",
            fields=("message",),
            download=Section("join_requests", _join_requests),
            erase=Delete(),
        ),
        PersonalData(
            model="partners.JoinRequest",
            person="decided_by",
            own=False,
            fields=("decided_by",),
            download=acted("decided a request to join", "decided_at"),
            erase=Keep("the organisation's record of who let whom in"),
        ),
        PersonalData(
            model="partners.Invitation",
            person="invited_by",
            own=False,
            fields=("invited_by",),
            download=acted("invited a colleague", "created_at"),
            erase=Keep("the organisation's record of who invited whom"),
        ),
        PersonalData(
            model="partners.Invitation",
            person="accepted_by",
            address="email",
            fields=("email", "accepted_by"),
            download=acted("was invited", "created_at"),
            # The person's placeholder, not an empty address: the table allows one open
            # invitation per address and organisation.
            erase=Anonymise(_invitation_anonymise, "the address replaced by the placeholder"),
        ),
        PersonalData(
            model="partners.Organisation",
            person="verified_by",
            own=False,
            fields=("verified_by",),
            download=acted("verified an organisation", "verified_at"),
            erase=Keep("the platform's record of who verified the organisation"),
        ),
        PersonalData(
            model="partners.Challenge",
            person="created_by",
            own=False,
            fields=("created_by",),
            download=Section("challenges_created", _challenges),
            erase=Keep(ORGANISATIONS_RECORD),
        ),
        PersonalData(
            model="partners.Challenge",
            person=None,
            address="contact_email",
            own=False,
            fields=("contact_name", "contact_email", "contact_phone"),
            download=Section("challenge_contact_of", _contact_of),
            # The organisation names another contact when it needs one.
            erase=Blank({"contact_name": "", "contact_email": "", "contact_phone": ""}),
        ),
        PersonalData(
            model="partners.ChallengeAttachment",
            person="uploaded_by",
            fields=("file", "original_name"),
            download=Section("challenge_attachments", _attachments),
            erase=Delete(files=("file",)),
        ),
        PersonalData(
            model="partners.ChallengeMessage",
            person="author",
            own=False,
            fields=("body",),
            download=Section("challenge_messages", _messages),
            erase=Keep(
                "part of the organisation's conversation with the coordinators, which the "
                "others in it need to read; coordinators redact it by hand when asked"
            ),
        ),
        PersonalData(
            model="partners.ChallengeLogEntry",
            person="actor",
            own=False,
            fields=("actor",),
            download=acted("changed a challenge", "created_at", _title, via=("challenge",)),
            erase=Keep("the challenge's history of who did what; it names the anonymous account"),
        ),
    )
