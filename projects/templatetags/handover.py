"""Handover dossiers on pages whose views belong to others: the project page, the team page
and "My projects" load this library, so their views need not know about handovers.

Each tag runs a fixed number of queries (see projects.selectors_handover), never one per row.
"""

from django import template

from projects.selectors_handover import (
    HandoverLink,
    PublicHandover,
    handover_links_for_cohort,
    handover_links_for_student,
    public_handovers,
)
from projects.services.handover import DOSSIER_COHORT_STATES

register = template.Library()


@register.simple_tag
def public_handovers_of(project) -> list[PublicHandover]:
    """The public part of the project's approved dossiers, latest group first.

    Only groups that ran have a dossier: when the page has loaded the project's groups and
    none ran yet, there is nothing to ask the database.
    """
    listed = getattr(project, "listed_cohorts", None)
    if listed is not None and not any(c.state in DOSSIER_COHORT_STATES for c in listed):
        return []
    return public_handovers([project.pk]).get(project.pk, [])


@register.simple_tag
def handover_links_of_cohort(cohort) -> list[HandoverLink]:
    """For the team page: the group's own dossier and the approved ones of earlier groups."""
    return handover_links_for_cohort(cohort)


@register.simple_tag
def handover_links_of_student(user) -> list[HandoverLink]:
    """For "My projects": the student's own dossiers and the approved ones they build on."""
    return handover_links_for_student(user)
