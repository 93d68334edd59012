"""The scene the reciprocity tests share: hours, reflections, partner feedback, the to-do list
and the CSL record.

Paul Partner works at Bibliotheek Leiden, whose project Samen lezen Rachid lectures; Olga works
at Woonzorg, elsewhere. Groups either run (started two weeks ago, end in six weeks) or have
ended (nine weeks of work, finished a week ago).

A test module takes the fixtures it needs by naming them at module level
(`library = scene.library`): pytest finds fixtures among a module's names, and an assignment,
unlike an import, does not read to the linter as an unused name the tests' arguments shadow.
The fixtures are not in a conftest because other modules here define their own `project`,
`library` and cast members.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from projects.enums import CohortState
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import CohortFactory, ProjectFactory

TODAY = timezone.localdate()


def in_english(user):
    """The person chose English, so the pages and mails they get read in English."""
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def organisation_of(member, name, *, membership=MembershipFactory):
    organisation = OrganisationFactory(name=name)
    membership(user=member, organisation=organisation)
    return organisation


def running_cohort(project, *, started_days_ago=14):
    """Running since `started_days_ago`; ends in six weeks."""
    return CohortFactory(
        project=project,
        state=CohortState.RUNNING,
        starts_on=TODAY - timedelta(days=started_days_ago),
        ends_on=TODAY + timedelta(days=42),
    )


def ended_cohort(project, state=CohortState.HANDOVER, **fields):
    """Nine weeks of work that finished a week ago."""
    return CohortFactory(
        project=project,
        state=state,
        starts_on=TODAY - timedelta(days=63),
        ends_on=TODAY - timedelta(days=7),
        **fields,
    )


@pytest.fixture
def student(student):
    return in_english(student)


@pytest.fixture
def partner_member(partner_member):
    return in_english(partner_member)


@pytest.fixture
def researcher(researcher):
    return in_english(researcher)


@pytest.fixture
def library(partner_member):
    return organisation_of(partner_member, "Bibliotheek Leiden")


@pytest.fixture
def elsewhere(other_partner_member):
    return organisation_of(other_partner_member, "Woonzorg")


@pytest.fixture
def project(library, researcher):
    project = ProjectFactory(title="Samen lezen", challenge__organisation=library)
    project.lecturers.add(researcher)
    return project
