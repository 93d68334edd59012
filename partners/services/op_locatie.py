"""Op Locatie: its opening hours, and questions a coordinator takes in there.

A question taken in at the location becomes a draft challenge, under the organisation it
came from or under Leren met de Stad itself. A resident never becomes a user: the details
they choose to leave sit on the challenge, for coordinators only, until it ends (see
challenge_transition, which blanks them).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_coordinator
from partners.enums import ChallengeAction, MembershipRole, OrganisationKind
from partners.models import (
    Challenge,
    ChallengeLogEntry,
    Membership,
    Neighbourhood,
    OpLocatieOpening,
    Organisation,
    Theme,
)
from partners.services.errors import ChallengeError

OWN_NAME = "Leren met de Stad"
OWN_SLUG = "leren-met-de-stad"
# What ChallengeLogEntry.data says of a challenge taken in at Op Locatie.
SOURCE = "op_locatie"


class AskedBy:
    RESIDENT = "resident"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class OpeningHours:
    """The days and hours in force today, and the next change if one is planned."""

    current: list[OpLocatieOpening] = field(default_factory=list)
    next_from: date | None = None
    upcoming: list[OpLocatieOpening] = field(default_factory=list)


def opening_hours(*, today: date | None = None) -> OpeningHours:
    """The schedule in force on `today` and the first one planned after it. One query."""
    today = today or timezone.localdate()
    current_start = (
        OpLocatieOpening.objects.filter(valid_from__lte=today)
        .order_by("-valid_from")
        .values("valid_from")[:1]
    )
    # Without a schedule in force the subquery is NULL and only planned rows match.
    rows = OpLocatieOpening.objects.filter(
        Q(valid_from__gte=Subquery(current_start)) | Q(valid_from__gt=today)
    ).order_by("valid_from", "weekday", "opens_at")
    current: list[OpLocatieOpening] = []
    upcoming: list[OpLocatieOpening] = []
    next_from = None
    for row in rows:
        if row.valid_from <= today:
            current.append(row)
        elif next_from is None or row.valid_from == next_from:
            next_from = row.valid_from
            upcoming.append(row)
    return OpeningHours(current=current, next_from=next_from, upcoming=upcoming)


def own_organisation(*, now: datetime | None = None) -> Organisation:
    """Leren met de Stad as an organisation, for questions that belong to no partner.

    Created on first use rather than by a data migration, so it also exists in a database
    that tests flushed.
    """
    found = Organisation.objects.filter(Q(slug=OWN_SLUG) | Q(name__iexact=OWN_NAME)).first()
    if found is not None:
        return found
    now = now or timezone.now()
    organisation, _created = Organisation.objects.get_or_create(
        slug=OWN_SLUG,
        defaults={
            "name": OWN_NAME,
            "kind": OrganisationKind.OTHER,
            "description": _("The platform itself, with its place Op Locatie in Leiden-Noord."),
            "website": "https://lerenmetdestad.nl",
            "is_verified": True,
            "verified_at": now,
            "created_at": now,
        },
    )
    return organisation


def op_locatie_question_take_in(
    *,
    coordinator: User,
    asked_by: str,
    title: str,
    question: str,
    organisation: Organisation | None = None,
    themes: Iterable[Theme] = (),
    neighbourhood: Neighbourhood | None = None,
    resident_name: str = "",
    resident_phone: str = "",
    resident_email: str = "",
    now: datetime | None = None,
) -> Challenge:
    """Save a question taken in at Op Locatie as a draft challenge.

    Without an organisation the challenge belongs to Leren met de Stad (created if need
    be). A resident's details are stored only for a question a resident asked.
    Side effect: a log entry that records where the question came from (not who asked).
    """
    if not is_coordinator(coordinator):
        raise ChallengeError(_("Only coordinators can take in questions at Op Locatie."))
    if asked_by not in (AskedBy.RESIDENT, AskedBy.ORGANISATION):
        raise ChallengeError(_("Say who asks the question: a resident or an organisation."))
    title, question = title.strip(), question.strip()
    if not title or not question:
        raise ChallengeError(_("Write a short title and the question."))
    if asked_by != AskedBy.RESIDENT:
        resident_name = resident_phone = resident_email = ""
    now = now or timezone.now()
    with transaction.atomic():
        owner = organisation or own_organisation(now=now)
        if organisation is None:
            # A question of Leren met de Stad itself is written out and submitted by the
            # coordinators, and only an organisation's members may do that.
            Membership.objects.get_or_create(
                user=coordinator,
                organisation=owner,
                defaults={"role": MembershipRole.MEMBER, "created_at": now},
            )
        challenge = Challenge.objects.create(
            organisation=owner,
            created_by=coordinator,
            title=title,
            question=question,
            resident_name=resident_name.strip(),
            resident_phone=resident_phone.strip(),
            resident_email=resident_email.strip(),
            created_at=now,
            state_changed_at=now,
        )
        challenge.themes.set(list(themes))
        if neighbourhood is not None:
            challenge.neighbourhoods.set([neighbourhood])
        ChallengeLogEntry.objects.create(
            challenge=challenge,
            actor=coordinator,
            action=ChallengeAction.CREATE,
            to_state=challenge.state,
            data={"source": SOURCE, "asked_by": asked_by},
            created_at=now,
        )
    return challenge


def op_locatie_questions() -> QuerySet[Challenge]:
    """Challenges taken in at Op Locatie, newest first, with their organisation."""
    taken_in = ChallengeLogEntry.objects.filter(
        challenge=OuterRef("pk"), action=ChallengeAction.CREATE, data__source=SOURCE
    )
    return (
        Challenge.objects.filter(Exists(taken_in))
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )
