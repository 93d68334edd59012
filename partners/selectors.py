"""Reused querysets for organisations and challenges."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.rules import is_coordinator
from partners.enums import PUBLIC_STATES
from partners.models import Challenge, ChallengeLogEntry, ChallengeMessage, Organisation


def challenges_visible_to(user: User) -> QuerySet[Challenge]:
    """Challenges a person may open: their organisations' ones, or all for coordinators."""
    challenges = Challenge.objects.select_related("organisation")
    if is_coordinator(user):
        return challenges
    if not user.is_authenticated:
        return challenges.none()
    return challenges.filter(organisation__memberships__user=user).distinct()


def challenge_for_detail(*, pk: int, user: User) -> Challenge:
    """One challenge with everything its page shows, in a fixed number of queries.

    Raises Challenge.DoesNotExist when it is outside the person's scope.
    """
    show_internal = is_coordinator(user)
    messages = ChallengeMessage.objects.select_related("author")
    if not show_internal:
        messages = messages.filter(is_internal=False)
    return (
        challenges_visible_to(user)
        .prefetch_related(
            "themes",
            "neighbourhoods",
            "attachments",
            Prefetch("messages", queryset=messages, to_attr="visible_messages"),
            Prefetch("log", queryset=ChallengeLogEntry.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


def public_challenges() -> QuerySet[Challenge]:
    """Challenges anyone may read: accepted or later, marked public, of a verified and public
    organisation."""
    return Challenge.objects.filter(
        state__in=PUBLIC_STATES,
        is_public=True,
        organisation__is_verified=True,
        organisation__is_public=True,
    ).select_related("organisation")


def organisation_for_member(*, slug: str, user: User) -> Organisation:
    """The organisation if the person is a member (or a coordinator); DoesNotExist otherwise."""
    organisations = Organisation.objects.all()
    if not is_coordinator(user):
        organisations = organisations.filter(memberships__user=user)
    return organisations.get(slug=slug)
