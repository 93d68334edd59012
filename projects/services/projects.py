"""Making a project from an accepted challenge.

A project is how an accepted challenge reaches students. Creating the first project moves
the challenge from accepted to in progress, through the challenge workflow, in the same
transaction: the project and the challenge's new state exist together or not at all.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import Truncator, capfirst, slugify
from django.utils.translation import gettext as _

from accounts.enums import InstitutionKind
from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows
from partners.enums import ChallengeAction, ChallengeState
from partners.models import Challenge
from partners.services.challenge_workflow import challenge_transition
from projects.enums import LocationKind
from projects.models import Project

# A project can be made from a challenge in these states.
SOURCE_STATES = frozenset({ChallengeState.ACCEPTED, ChallengeState.IN_PROGRESS})
# Fields a caller may set, in the order forms show them; the rest (slug, challenge,
# created_at) the service decides.
PROJECT_FIELDS = (
    "title",
    "summary",
    "description",
    "themes",
    "neighbourhood",
    "location_kind",
    "location",
    "organisations",
    "lecturers",
    "csl_level",
    "institution_kinds",
    "language",
    "weekdays",
    "hours_per_week",
    "works_with_vulnerable_residents",
)
FIELDS = frozenset(PROJECT_FIELDS)
M2M_FIELDS = ("themes", "organisations", "lecturers")
SUMMARY_LENGTH = Project._meta.get_field("summary").max_length
SLUG_LENGTH = Project._meta.get_field("slug").max_length


class ProjectError(Exception):
    """A project cannot be made as asked; the message is fit to show."""


def project_prefill(challenge: Challenge) -> dict[str, Any]:
    """What a new project takes over from its challenge, for the coordinator to check.

    Values are model instances and lists of them, as a form's initial data accepts them.
    Fields the challenge says nothing about (or something invalid for a project) are left out.
    """
    values: dict[str, Any] = {
        "title": challenge.title,
        "summary": Truncator(" ".join(challenge.question.split())).chars(SUMMARY_LENGTH),
        "description": challenge.background,
        "themes": list(challenge.themes.all()),
        "neighbourhood": challenge.neighbourhoods.first(),
        "organisations": [challenge.organisation],
        "institution_kinds": list(InstitutionKind.values),
    }
    if challenge.desired_level:
        values["csl_level"] = challenge.desired_level
    # 1 to 40 is the range the project_hours_range constraint allows.
    if challenge.hours_per_week and 1 <= challenge.hours_per_week <= 40:
        values["hours_per_week"] = challenge.hours_per_week
    place = challenge.place.strip()
    if "op locatie" in place.lower():
        values["location_kind"] = LocationKind.OP_LOCATIE
    elif place:
        values["location_kind"] = LocationKind.PARTNER
        values["location"] = place
    return values


def project_create_from_challenge(*, challenge: Challenge, actor: User, **fields: Any) -> Project:
    """Make a project from an accepted or in-progress challenge; returns it.

    `fields` are the project's fields as the coordinator set them; whatever is not given is
    taken from the challenge (project_prefill). The slug is made unique from the title.
    Side effects: when the challenge is accepted, it moves to in progress through
    challenge_transition (a log entry and mails to the organisation's members).
    """
    unknown = set(fields) - FIELDS
    if unknown:
        raise TypeError(f"Unknown project fields: {', '.join(sorted(unknown))}")
    if not is_coordinator(actor):
        raise ProjectError(_("Only coordinators can do this."))

    with transaction.atomic():
        challenge = lock_rows(Challenge.objects.select_related("organisation")).get(pk=challenge.pk)
        if challenge.state not in SOURCE_STATES:
            raise ProjectError(
                _(
                    "A project can only be made from an accepted challenge. "
                    "This challenge is %(state)s."
                )
                % {"state": challenge.get_state_display()}
            )
        values = project_prefill(challenge) | fields
        related = {name: list(values.pop(name, None) or []) for name in M2M_FIELDS}
        if not related["themes"]:
            raise ProjectError(_("Choose at least one theme."))
        if not related["organisations"]:
            raise ProjectError(_("Choose at least one partner organisation."))
        project = Project(challenge=challenge, **values)
        _validate(project)
        _insert_with_free_slug(project)
        for name, objects in related.items():
            getattr(project, name).set(objects)
        if challenge.state == ChallengeState.ACCEPTED:
            challenge_transition(
                challenge_id=challenge.pk, action=ChallengeAction.START, actor=actor
            )
    return project


def _validate(project: Project) -> None:
    try:
        project.full_clean(exclude=["slug"], validate_unique=False)
    except ValidationError as error:
        problems = [
            f"{capfirst(Project._meta.get_field(name).verbose_name)}: {' '.join(messages)}"
            if name in {field.name for field in Project._meta.fields}
            else " ".join(messages)
            for name, messages in error.message_dict.items()
        ]
        raise ProjectError(" ".join(problems)) from None


def _insert_with_free_slug(project: Project) -> None:
    """Save with the first free slug. Two coordinators may make a project with the same title
    at the same moment; the unique index decides and the loser takes the next slug."""
    base = slugify(project.title)[: SLUG_LENGTH - 6].strip("-") or "project"
    for _attempt in range(5):
        taken = Project.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        project.slug = _free_slug(base, set(taken))
        try:
            with transaction.atomic():
                project.save(force_insert=True)
        except IntegrityError:
            project.pk = None
            continue
        return
    raise ProjectError(_("Saving the project did not work this time. Please try again."))


def _free_slug(base: str, taken: set[str]) -> str:
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug
