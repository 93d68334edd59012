"""Factories for the whole suite, in one place."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.enums import InstitutionKind, Role
from accounts.models import (
    Institution,
    InstitutionEmailDomain,
    ResearcherProfile,
    StudentProfile,
    User,
)
from partners.models import Neighbourhood, Theme

PASSWORD = "een-lang-wachtwoord-voor-tests"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Thema {n}")
    slug = factory.Sequence(lambda n: f"thema-{n}")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Wijk {n}")
    slug = factory.Sequence(lambda n: f"wijk-{n}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Onderwijsinstelling {n}")
    kind = InstitutionKind.HBO


class InstitutionEmailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionEmailDomain

    institution = factory.SubFactory(InstitutionFactory)
    domain = factory.Sequence(lambda n: f"school{n}.nl")


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose email address is verified, so they can log in straight away."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    name = factory.Sequence(lambda n: f"Persoon {n}")
    role = Role.STUDENT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class StudentFactory(UserFactory):
    role = Role.STUDENT
    profile = factory.RelatedFactory(
        "tests.factories.StudentProfileFactory", factory_related_name="user"
    )


class StudentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentProfile

    user = factory.SubFactory(UserFactory, role=Role.STUDENT)
    institution = factory.SubFactory(InstitutionFactory)
    programme = "Social Work"
    level = InstitutionKind.HBO
    study_year = 2


class ResearcherFactory(UserFactory):
    role = Role.RESEARCHER
    profile = factory.RelatedFactory(
        "tests.factories.ResearcherProfileFactory", factory_related_name="user"
    )


class ResearcherProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResearcherProfile

    user = factory.SubFactory(UserFactory, role=Role.RESEARCHER)
    institution = factory.SubFactory(InstitutionFactory, kind=InstitutionKind.WO)
    expertise = "Eenzaamheid onder ouderen"


class PartnerMemberFactory(UserFactory):
    role = Role.PARTNER


class CoordinatorFactory(UserFactory):
    role = Role.COORDINATOR
    is_staff = True

    @factory.post_generation
    def coordinators_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Coordinators"))
