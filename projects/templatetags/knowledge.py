"""The public knowledge on pages whose views belong to others: an organisation's public page
(partners) loads this library, so partners need not import projects."""

from django import template

from projects.models import Project
from projects.selectors_knowledge import completed_projects_of

register = template.Library()


@register.simple_tag
def completed_projects_of_organisation(organisation) -> list[Project]:
    """The organisation's completed projects with their public handovers. Three queries."""
    return completed_projects_of(organisation.pk)
