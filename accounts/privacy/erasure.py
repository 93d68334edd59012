"""Erasing a person: their account stays as an anonymous row, everything personal goes.

Rows that other people or the city's records need stay: enrolments (so a group's size and
the hours worked still count), registrations, log entries, handover dossiers and their
versions, the outbox rows of mail sent to them. What made them a person is removed from
those rows, and their name and email address are replaced wherever anyone quoted them.
"""

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ResearcherProfile, StudentProfile, User
from accounts.services import AccountError
from events.enums import EventState, RegistrationState
from events.models import CalendarFeed, FollowUp, Registration
from lerenmetdestad.locking import lock_rows
from outbox.enums import MessageStatus
from outbox.models import Message, OptOut
from partners.models import Challenge, Invitation, JoinRequest, Membership
from projects.enums import ACTIVE_ENROLMENT_STATES, CohortState
from projects.models import Enrolment, HoursEntry, Reflection

# RFC 2606 reserves .invalid: no mail to these addresses can ever be delivered.
ERASED_DOMAIN = "erased.invalid"
# Stored data in the site's language, not an interface string: it stands in rosters and
# logs for whoever reads them, as the person's name did.
ERASED_NAME = "Verwijderde gebruiker {number}"

# Places and registrations still under way: erasing the person would leave a team or an
# event with an anonymous member, so they withdraw first.
_ENDED_COHORT_STATES = (CohortState.COMPLETED, CohortState.CANCELLED)
_ENDED_EVENT_STATES = (EventState.HELD, EventState.CLOSED, EventState.CANCELLED)
_ACTIVE_REGISTRATION_STATES = (RegistrationState.REGISTERED, RegistrationState.WAITLISTED)


class ErasureError(AccountError):
    """The account cannot be erased now; the message says why and what to do."""


@dataclass(frozen=True)
class Erased:
    user_id: int
    messages: int
    places_quoted: int


def erased_email(user_id: int) -> str:
    return f"user-{user_id}@{ERASED_DOMAIN}"


def erased_name(user_id: int) -> str:
    return ERASED_NAME.format(number=user_id)


def is_erased(user: User) -> bool:
    return user.email == erased_email(user.pk)


def account_erase(*, user: User, confirm_email: str) -> Erased:
    """The person's own erasure, confirmed by typing the email address of the account.

    Side effects: as account_anonymise. Raises ErasureError, and writes nothing, when the
    confirmation does not match or the account cannot be erased now.
    """
    if confirm_email.strip().casefold() != user.email.casefold() or is_erased(user):
        raise ErasureError(_("Type the email address of your account exactly to confirm."))
    erased = account_anonymise(user_id=user.pk)
    if erased is None:
        raise ErasureError(_("This account has already been erased."))
    return erased


def account_anonymise(*, user_id: int, inactive_before: datetime | None = None) -> Erased | None:
    """Remove or anonymise everything personal about one person, in one transaction.

    With `inactive_before` (the retention job) the person is left alone if they signed in
    since, however the job came to pick them. Returns None when there was nothing to do (the
    account is already erased, or active again). Raises ErasureError for the last
    coordinator and for people who still hold a place in a group or an event under way.
    Side effects: the user row anonymised and switched off; their sessions, email addresses,
    linked institution accounts (and any tokens), memberships, join requests, calendar feed
    and opt-outs deleted; their profile, their own free text (motivations, reflections, hours
    notes, what they bring and seek, follow-up notes) blanked; mail to them kept as rows
    without address or body, and still queued mail failed; their name and email address
    replaced in every text column of every table.
    """
    with transaction.atomic():
        user = lock_rows(User.objects.filter(pk=user_id)).first()
        if user is None or is_erased(user):
            return None
        if inactive_before is not None and (user.last_login or user.date_joined) >= inactive_before:
            return None
        _check_erasable(user)

        addresses = _addresses_of(user)
        old_name = user.name
        new_name, new_email = erased_name(user.pk), erased_email(user.pk)

        user.name, user.email = new_name, new_email
        user.is_active = user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save(
            update_fields=["name", "email", "password", "is_active", "is_staff", "is_superuser"]
        )
        user.groups.clear()
        user.user_permissions.clear()
        EmailAddress.objects.filter(user=user).delete()
        # The link to their institution goes too, so signing in there no longer finds the
        # anonymous account. Tokens are never stored; any there are go first all the same.
        SocialToken.objects.filter(account__user=user).delete()
        SocialAccount.objects.filter(user=user).delete()
        _sessions_delete(user)

        messages = _outbox_anonymise(user, addresses, new_email)
        _profile_blank(user)
        _own_text_blank(user)
        Membership.objects.filter(user=user).delete()
        JoinRequest.objects.filter(user=user).delete()
        CalendarFeed.objects.filter(person=user).delete()
        OptOut.objects.filter(user=user).delete()
        Invitation.objects.annotate(address=Lower("email")).filter(address__in=addresses).update(
            email=new_email
        )
        # The organisation's contact person on a challenge they wrote: the organisation names
        # another one when it needs to.
        Challenge.objects.annotate(address=Lower("contact_email")).filter(
            address__in=addresses
        ).update(contact_name="", contact_email="", contact_phone="")

        quoted = text_replace_everywhere(
            names=[old_name] if old_name.strip() else [],
            emails=sorted(addresses),
            name_replacement=new_name,
            email_replacement=new_email,
        )
    return Erased(user_id=user.pk, messages=messages, places_quoted=quoted)


def _check_erasable(user: User) -> None:
    if user.is_coordinator and user.is_active:
        others = User.objects.filter(is_active=True, is_staff=True, role=user.role).exclude(
            pk=user.pk
        )
        if not others.exists():
            raise ErasureError(
                _(
                    "You are the last coordinator. Make someone else coordinator first, "
                    "so that the platform can still be run."
                )
            )
    busy = Enrolment.objects.filter(student=user, state__in=ACTIVE_ENROLMENT_STATES).exclude(
        cohort__state__in=_ENDED_COHORT_STATES
    )
    registered = Registration.objects.filter(
        person=user, state__in=_ACTIVE_REGISTRATION_STATES
    ).exclude(event__state__in=_ENDED_EVENT_STATES)
    if busy.exists() or registered.exists():
        raise ErasureError(
            _(
                "You still have a place in a group or at a Meet & Match that has not ended. "
                "Withdraw or cancel it first, or ask us at privacy@lerenmetdestad.nl."
            )
        )


def _addresses_of(user: User) -> set[str]:
    addresses = {user.email.lower()}
    addresses.update(
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return addresses


def _sessions_delete(user: User) -> None:
    # Sessions are signed blobs without a user column: each live one has to be read.
    user_key = str(user.pk)
    doomed = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_key
    ]
    Session.objects.filter(pk__in=doomed).delete()


def _outbox_anonymise(user: User, addresses: set[str], new_email: str) -> int:
    mail = Message.objects.annotate(address=Lower("to_email")).filter(
        Q(recipient=user) | Q(address__in=addresses)
    )
    # Mail not yet sent would go to the placeholder address: it is ended instead.
    mail.filter(status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, last_error="recipient erased"
    )
    return mail.update(to_email=new_email, body_text="", body_html="")


def _profile_blank(user: User) -> None:
    # Institution, level and position stay: they are what the impact figures count by, and
    # without a name they point at nobody.
    StudentProfile.objects.filter(user=user).update(
        programme="", study_year=None, languages=[], weekdays=[]
    )
    ResearcherProfile.objects.filter(user=user).update(expertise="")
    for profile_model in (StudentProfile, ResearcherProfile):
        profile_model.themes.through.objects.filter(
            **{f"{profile_model._meta.model_name}_id": user.pk}
        ).delete()


def _own_text_blank(user: User) -> None:
    Enrolment.objects.filter(student=user).update(motivation="")
    Reflection.objects.filter(enrolment__student=user).update(
        learned="", contribution="", next_time=""
    )
    HoursEntry.objects.filter(enrolment__student=user).update(description="")
    registrations = Registration.objects.filter(person=user)
    registrations.update(brings="", seeks="", listed=False)
    Registration.wants_to_meet.through.objects.filter(from_registration__person=user).delete()
    Registration.rather_not_meet.through.objects.filter(from_registration__person=user).delete()
    FollowUp.objects.filter(registration__person=user).update(note="")


# --- Their name and address wherever someone wrote or quoted them -------------------------

# Tables left out of the sweep: other people's names are not theirs to lose (two people may
# share a name), and sessions are signed blobs, deleted above instead.
_SWEEP_EXCLUDED = {"accounts.user", "sessions.session"}
_TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def text_replace_everywhere(
    *, names: list[str], emails: list[str], name_replacement: str, email_replacement: str
) -> int:
    """Replace whole-word occurrences of the names and addresses in every text column.

    Covers every installed model, so a table added later is covered too: log entries,
    messages, dossiers, the audit history, Django's admin log. Case-insensitive; an address
    inside a longer one ("ann@x.nl" in "joann@x.nl") is left alone. Returns how many
    column values changed.
    """
    patterns = [
        (_pattern(_variants(emails), email=True), email_replacement),
        (_pattern(_variants(names), email=False), name_replacement),
    ]
    patterns = [(pattern, replacement) for pattern, replacement in patterns if pattern]
    if not patterns:
        return 0
    changed = 0
    for model, field in _text_columns():
        as_text = (
            Cast(F(field.name), models.TextField())
            if isinstance(field, models.JSONField)
            else F(field.name)
        )
        replaced = as_text
        matches = Q()
        for pattern, replacement in patterns:
            replaced = Func(
                replaced,
                Value(pattern),
                Value(replacement),
                Value("gi"),
                function="regexp_replace",
                output_field=models.TextField(),
            )
            matches |= Q(privacy_text__iregex=pattern)
        if isinstance(field, models.JSONField):
            replaced = Cast(replaced, field)
        rows = model._base_manager.annotate(privacy_text=as_text).filter(matches)
        changed += rows.update(**{field.name: replaced})
    return changed


def _text_columns() -> Iterable[tuple[type[models.Model], models.Field]]:
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in _SWEEP_EXCLUDED:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, _TEXT_FIELDS) and not field.choices and not field.primary_key:
                yield model, field


def _variants(texts: list[str]) -> list[str]:
    """Each text as it is, as HTML shows it and as JSON stores it."""
    found: list[str] = []
    for text in texts:
        for variant in (text, html.escape(text), json.dumps(text, ensure_ascii=False)[1:-1]):
            if variant and variant not in found:
                found.append(variant)
    return found


def _pattern(texts: list[str], *, email: bool) -> str:
    """A PostgreSQL regular expression that finds any of the texts as a whole word."""
    if not texts:
        return ""
    # A backslash before a character that is not a letter or digit makes it literal.
    escaped = "|".join(
        "".join(char if char.isalnum() else "\\" + char for char in text)
        for text in sorted(texts, key=len, reverse=True)
    )
    if email:
        return rf"(?<![\w.+-])({escaped})(?![\w-]|\.\w)"
    return rf"(?<!\w)({escaped})(?!\w)"
