"""Writing challenges: create, edit, attachments and the conversation."""

from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows
from partners.attachment_types import attachment_content_type
from partners.enums import EDITABLE_STATES, ChallengeAction
from partners.models import (
    Challenge,
    ChallengeAttachment,
    ChallengeLogEntry,
    ChallengeMessage,
    Organisation,
)
from partners.rules import is_challenge_member, is_member
from partners.services.errors import ChallengeError
from partners.services.notifications import message_notify

# The fields a partner writes; the service copies exactly these from the form's data.
CONTENT_FIELDS = (
    "title",
    "question",
    "background",
    "target_group",
    "contact_name",
    "contact_email",
    "contact_phone",
    "place",
    "hours_per_week",
    "desired_start",
    "desired_end",
    "desired_level",
    "resident_involvement",
    "resident_contacts_per_month",
    "is_societal",
    "is_non_commercial",
    "has_no_consultant_budget",
    "is_public",
)


def challenge_create(
    *,
    organisation: Organisation,
    author: User,
    data: dict,
    attachments: Iterable[UploadedFile] = (),
    written_by: User | None = None,
    now: datetime | None = None,
) -> Challenge:
    """Save a new challenge as a draft for the organisation. Side effect: a log entry.

    `written_by` is who wrote the text when that is not the member it is drafted for (a
    researcher's Meet & Match note): the log names them, so the history says who wrote what.
    """
    if not is_member(author, organisation):
        raise ChallengeError(_("Only members of the organisation can add challenges."))
    now = now or timezone.now()
    with transaction.atomic():
        challenge = Challenge(
            organisation=organisation, created_by=author, created_at=now, state_changed_at=now
        )
        _apply(challenge, data)
        challenge.save()
        challenge.themes.set(data.get("themes") or [])
        challenge.neighbourhoods.set(data.get("neighbourhoods") or [])
        _attach(challenge, attachments, author, now)
        ChallengeLogEntry.objects.create(
            challenge=challenge,
            actor=written_by or author,
            action=ChallengeAction.CREATE,
            to_state=challenge.state,
            created_at=now,
        )
    return challenge


def challenge_update(
    *,
    challenge_id: int,
    author: User,
    expected_version: int | None,
    data: dict,
    attachments: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> Challenge:
    """Save a partner's changes, refusing a stale form so no one's edit is silently lost."""
    now = now or timezone.now()
    with transaction.atomic():
        challenge = lock_rows(Challenge.objects.select_related("organisation")).get(pk=challenge_id)
        if not is_challenge_member(author, challenge):
            raise ChallengeError(_("Only members of the organisation can change this challenge."))
        if challenge.state not in EDITABLE_STATES:
            raise ChallengeError(
                _("This challenge can no longer be changed: it is %(state)s.")
                % {"state": challenge.get_state_display()}
            )
        if expected_version is None or expected_version != challenge.version:
            raise ChallengeError(
                _(
                    "Someone else saved this challenge while you were editing. Your text is "
                    "still in the form below: compare it with the new version and save again."
                )
            )
        _apply(challenge, data)
        challenge.version += 1
        challenge.save(update_fields=[*CONTENT_FIELDS, "version"])
        challenge.themes.set(data.get("themes") or [])
        challenge.neighbourhoods.set(data.get("neighbourhoods") or [])
        _attach(challenge, attachments, author, now)
        ChallengeLogEntry.objects.create(
            challenge=challenge,
            actor=author,
            action=ChallengeAction.EDIT,
            from_state=challenge.state,
            to_state=challenge.state,
            created_at=now,
        )
    return challenge


def challenge_message_post(
    *,
    challenge: Challenge,
    author: User,
    body: str,
    internal: bool = False,
    now: datetime | None = None,
) -> ChallengeMessage:
    """Add to the conversation. Internal notes are for coordinators and tell no one outside."""
    body = body.strip()
    if not body:
        raise ChallengeError(_("Write a message first."))
    coordinator = is_coordinator(author)
    if internal and not coordinator:
        raise ChallengeError(_("Only coordinators can write internal notes."))
    if not coordinator and not is_challenge_member(author, challenge):
        raise ChallengeError(_("Only members of the organisation and coordinators can write here."))
    with transaction.atomic():
        message = ChallengeMessage.objects.create(
            challenge=challenge,
            author=author,
            body=body,
            is_internal=internal,
            created_at=now or timezone.now(),
        )
        if not internal:
            message_notify(message=message)
    return message


def _apply(challenge: Challenge, data: dict) -> None:
    for field in CONTENT_FIELDS:
        if field in data:
            value = data[field]
            setattr(challenge, field, "" if value is None and field not in _NULLABLE else value)


_NULLABLE = {"hours_per_week", "desired_start", "desired_end"}


def _attach(
    challenge: Challenge, files: Iterable[UploadedFile], author: User, now: datetime
) -> None:
    for upload in files:
        ChallengeAttachment.objects.create(
            challenge=challenge,
            file=upload,
            original_name=upload.name[:200],
            # What the server determined from the checked suffix, never the browser's claim.
            content_type=attachment_content_type(upload.name),
            size=upload.size,
            uploaded_by=author,
            uploaded_at=now,
        )
