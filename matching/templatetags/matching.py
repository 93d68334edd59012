"""`{% load matching %}`: recommendations with their reasons, for the pages of other apps.

Other apps never import `matching` in Python; their templates load this library instead, so
the dependency points from matching to them only. Each tag decides by itself whom it shows
something to, and renders nothing for everyone else.
"""

from django import template
from django.utils import timezone

from accounts.enums import Role
from accounts.rules import is_coordinator
from matching import recommendations

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("matching/recommended_projects.html", takes_context=True)
def recommended_projects(context) -> dict:
    """The "Recommended for you" block: for a signed-in student with a profile only."""
    user = _user(context)
    if user is None or not user.is_authenticated or user.role != Role.STUDENT:
        return {"recommendations": None}
    return {
        "recommendations": recommendations.recommended_projects(student=user, now=timezone.now())
    }


@register.inclusion_tag("matching/fitting_challenges.html", takes_context=True)
def fitting_challenges(context) -> dict:
    """The "Challenges that fit you" block: for a signed-in researcher with a profile only."""
    user = _user(context)
    if user is None or not user.is_authenticated or user.role != Role.RESEARCHER:
        return {"matches": None}
    return {"matches": recommendations.fitting_challenges(researcher=user)}


@register.inclusion_tag("matching/fitting_researchers.html", takes_context=True)
def fitting_researchers(context, challenge) -> dict:
    """The "Researchers and lecturers who fit" block of a challenge: for coordinators only."""
    user = _user(context)
    if challenge is None or user is None or not is_coordinator(user):
        return {"show": False}
    return {
        "show": True,
        "researchers": recommendations.fitting_researchers(challenge_id=challenge.pk),
    }
