"""Factories for Meet & Match events and registrations, shared by every events test.

Plain ORM writes on purpose: tests set up a state with these and then drive the services,
views and admin.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from events.enums import Audience, EventState, RegistrationState, RoleAtEvent
from events.models import OP_LOCATIE, Event, Registration
from tests.factories import ResearcherFactory


class EventFactory(factory.django.DjangoModelFactory):
    """A published event in three weeks at Op Locatie; registration open until next week."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Meet & Match {n}")
    slug = factory.Sequence(lambda n: f"meet-en-match-{n}")
    description = "Onderzoekers, docenten en praktijkmensen ontmoeten elkaar in korte rondes."
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=21)).replace(
            hour=15, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    registration_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=7))
    venue = OP_LOCATIE
    capacity = 20
    audience = factory.LazyFunction(lambda: [Audience.RESEARCHER, Audience.PARTNER])
    rounds = 4
    minutes_per_round = 15
    tables = 10
    seats_per_table = 2
    state = EventState.PUBLISHED

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A listed, registered researcher."""

    class Meta:
        model = Registration
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(ResearcherFactory)
    role_at_event = RoleAtEvent.RESEARCHER
    brings = "Onderzoek naar eenzaamheid onder ouderen."
    seeks = "Een buurthuis dat wil meedoen."
    listed = True
    state = RegistrationState.REGISTERED
    queued_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)
