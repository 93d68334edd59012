"""Builders for challenge tests: an organisation with a member and challenges in any state.

Plain ORM writes on purpose: the tests set up a state and then drive the services.
"""

from datetime import date

from django.utils import timezone

from partners.enums import ChallengeState, MembershipRole
from partners.models import Challenge, Membership, Neighbourhood, Organisation, Theme


def organisation_with_member(user, *, name="Bibliotheek Leiden-Noord", verified=True, budget=2):
    organisation = Organisation.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        kind="library",
        is_verified=verified,
        verified_at=timezone.now() if verified else None,
        team_budget=budget,
    )
    Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.ADMIN)
    return organisation


def challenge_in(state: ChallengeState, organisation, *, contacts=4, neighbourhood=None, **fields):
    theme, _ = Theme.objects.get_or_create(slug="eenzaamheid", defaults={"name": "Eenzaamheid"})
    eligible = fields.pop("eligible", False) or state != ChallengeState.DRAFT
    values = {
        "organisation": organisation,
        "title": "Ouderen ontmoeten elkaar",
        "question": "Hoe zorgen we dat ouderen in De Kooi elkaar vaker zien?",
        "contact_name": "Paul Bakker",
        "contact_email": "paul@example.org",
        "resident_contacts_per_month": contacts,
        "desired_start": date(2027, 2, 1),
        "desired_end": date(2027, 3, 31),
        "is_societal": eligible,
        "is_non_commercial": eligible,
        "has_no_consultant_budget": eligible,
        "state": state,
        "submitted_at": None if state == ChallengeState.DRAFT else timezone.now(),
        "decision_reason": "Past niet" if state == ChallengeState.DECLINED else "",
    }
    challenge = Challenge.objects.create(**(values | fields))
    challenge.themes.add(theme)
    if neighbourhood is not None:
        challenge.neighbourhoods.add(neighbourhood)
    return challenge


def neighbourhood(name="De Kooi", budget=30):
    return Neighbourhood.objects.get_or_create(
        slug=name.lower().replace(" ", "-"),
        defaults={"name": name, "resident_contact_budget": budget},
    )[0]


def speaks_english(user):
    """The tests that compare wording do so in English, the language of our msgids."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user
