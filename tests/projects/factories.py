"""Factories for projects, cohorts and enrolments, shared by every projects test."""

from datetime import date, datetime, timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from partners.enums import ChallengeState, CslLevel
from partners.models import Challenge
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import Cohort, Enrolment, Project
from tests.factories import StudentFactory, ThemeFactory
from tests.partners.factories import OrganisationFactory


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    organisation = factory.SubFactory(OrganisationFactory, team_budget=10)
    title = factory.Sequence(lambda n: f"Vraagstuk {n}")
    question = "Hoe zorgen we dat buren elkaar vaker zien?"
    contact_name = "Paul Bakker"
    contact_email = "paul@example.org"
    is_societal = True
    is_non_commercial = True
    has_no_consultant_budget = True
    state = ChallengeState.IN_PROGRESS
    submitted_at = factory.LazyFunction(timezone.now)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    challenge = factory.SubFactory(ChallengeFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "Samen met bewoners werken aan een vraag uit de wijk."
    description = ""
    csl_level = CslLevel.MEDIUM
    institution_kinds = factory.LazyFunction(lambda: ["mbo", "hbo", "wo"])
    weekdays = factory.LazyFunction(lambda: [2])
    hours_per_week = 6

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(
                extracted
                if extracted is not None
                else [ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")]
            )

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create:
            self.organisations.set(
                extracted if extracted is not None else [self.challenge.organisation]
            )


def _monday_in(weeks: int) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) + 7 * weeks)


class CohortFactory(factory.django.DjangoModelFactory):
    """An open cohort: registration runs from yesterday until next week."""

    class Meta:
        model = Cohort

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyFunction(lambda: _monday_in(3))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(weeks=8))
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    min_size = 1
    max_size = 5
    admission_mode = AdmissionMode.FIRST_COME
    state = CohortState.OPEN


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory)
    student = factory.SubFactory(StudentFactory)
    state = EnrolmentState.MEMBER
    queued_at = factory.LazyFunction(timezone.now)


def aware(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())
