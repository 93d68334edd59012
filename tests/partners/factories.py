"""Factories for organisations and membership (tests/factories.py holds people and places)."""

import factory
from django.utils import timezone

from partners.enums import JoinRequestStatus, MembershipRole, OrganisationKind
from partners.models import Invitation, JoinRequest, Membership, Organisation
from tests.factories import PartnerMemberFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A verified organisation; pass is_verified=False for one still waiting for its check."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Buurtorganisatie {n}")
    slug = factory.Sequence(lambda n: f"buurtorganisatie-{n}")
    kind = OrganisationKind.WELFARE
    description = "Wij helpen bewoners in de wijk."
    is_verified = True
    verified_at = factory.LazyAttribute(lambda o: timezone.now() if o.is_verified else None)
    team_budget = 2


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(PartnerMemberFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER


class AdminMembershipFactory(MembershipFactory):
    role = MembershipRole.ADMIN


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    user = factory.SubFactory(PartnerMemberFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    message = "Ik werk hier sinds kort."
    status = JoinRequestStatus.PENDING


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation written straight to the table (no mail, no token)."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"collega{n}@example.org")
    role = MembershipRole.MEMBER
