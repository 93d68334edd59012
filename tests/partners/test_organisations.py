"""The rules about organisations and membership, through the services and the database."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.demo import seed_institutions, seed_users
from accounts.models import User
from outbox.models import Message
from partners import demo as partners_demo
from partners.demo_organisations import seed_organisations
from partners.enums import JoinRequestStatus, MembershipRole
from partners.models import Invitation, JoinRequest, Membership, Organisation
from partners.services.errors import OrganisationError
from partners.services.organisations import (
    INVITATION_SALT,
    InvitationInvalidError,
    OrganisationNameTakenError,
    invitation_accept,
    invitation_create,
    invitation_read,
    join_request_create,
    join_request_decide,
    membership_remove,
    membership_set_role,
    organisation_register,
    organisation_verify,
)
from tests.factories import NeighbourhoodFactory, PartnerMemberFactory
from tests.partners.factories import (
    AdminMembershipFactory,
    InvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.support.mail import delivered_text

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db,
]

TOKEN_IN_MAIL = re.compile(r"/uitnodiging/([^/\s]+)/")


@pytest.fixture(autouse=True)
def _english():
    """Messages are English msgids with Dutch translations; assert on the msgids."""
    with translation.override("en"):
        yield


def mails() -> list[tuple[str, str]]:
    return list(Message.objects.order_by("pk").values_list("to_email", "kind"))


@pytest.fixture
def library(partner_member):
    """A verified library with the standard partner member as its only administrator."""
    organisation = OrganisationFactory(name="Bibliotheek Leiden-Noord", slug="bibliotheek-noord")
    AdminMembershipFactory(user=partner_member, organisation=organisation)
    return organisation


def invite(organisation, admin, email="nieuw@bibliotheekleiden.nl", role=MembershipRole.MEMBER):
    """Invite someone and return the token from the mail they got."""
    invitation_create(organisation=organisation, email=email, role=role, invited_by=admin)
    message = Message.objects.filter(to_email=email).latest("pk")
    token = TOKEN_IN_MAIL.search(delivered_text(message)).group(1)
    # Whoever holds the link can join: the outbox keeps it sealed.
    assert token not in message.body_text + message.body_html
    return token


# --- Registering and verifying ------------------------------------------------------------


def test_organisation_register_creates_it_unverified_with_the_user_as_admin(
    partner_member, coordinator
):
    hoods = [NeighbourhoodFactory(slug="de-kooi", name="De Kooi")]

    organisation = organisation_register(
        user=partner_member,
        name="  Buurthuis   De Kooi ",
        kind="residents",
        description="Koffie en klussen.",
        website="https://buurthuisdekooi.example.nl",
        address="Kooilaan 1",
        neighbourhoods=hoods,
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.slug, organisation.is_verified) == (
        "Buurthuis De Kooi",
        "buurthuis-de-kooi",
        False,
    )
    assert list(organisation.neighbourhoods.values_list("slug", flat=True)) == ["de-kooi"]
    assert list(organisation.memberships.values_list("user__email", "role")) == [
        ("paul@bibliotheekleiden.nl", "admin")
    ]


def test_organisation_register_mails_every_coordinator(partner_member, coordinator):
    second = User.objects.create_user(
        email="kees@lerenmetdestad.nl",
        name="Kees",
        role="coordinator",
        is_staff=True,
        language="en",
    )

    organisation_register(user=partner_member, name="Buurthuis De Kooi", kind="residents")

    assert mails() == [
        ("cora@lerenmetdestad.nl", "challenge_updates"),
        ("kees@lerenmetdestad.nl", "challenge_updates"),
    ]
    mail = Message.objects.get(recipient=second)
    assert mail.subject == "New organisation waiting for your check: Buurthuis De Kooi"
    assert "Paul Partner (paul@bibliotheekleiden.nl) has registered" in mail.body_text


def test_organisation_register_gives_each_organisation_its_own_slug(partner_member):
    first = organisation_register(user=partner_member, name="Ons Doel", kind="housing")
    second = organisation_register(user=partner_member, name="Ons-Doel", kind="housing")

    assert (first.slug, second.slug) == ("ons-doel", "ons-doel-2")


def test_organisation_register_never_takes_the_slug_of_a_fixed_page(partner_member):
    new = organisation_register(user=partner_member, name="Nieuw", kind="other")
    search = organisation_register(user=partner_member, name="Zoeken", kind="other")

    assert (new.slug, search.slug) == ("nieuw-2", "zoeken-2")


def test_organisation_register_same_name_in_other_case_is_refused(
    partner_member, other_partner_member
):
    organisation_register(user=partner_member, name="Buurthuis De Kooi", kind="residents")

    with pytest.raises(OrganisationNameTakenError) as refused:
        organisation_register(user=other_partner_member, name="buurthuis de kooi", kind="residents")

    assert str(refused.value) == (
        "There is already an organisation called buurthuis de kooi. Search for it and ask to "
        "join, or choose a name that makes the difference clear."
    )
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize("person", ["student", "researcher"])
def test_organisation_register_by_someone_not_from_a_partner_is_refused(person, request):
    user = request.getfixturevalue(person)

    with pytest.raises(OrganisationError) as refused:
        organisation_register(user=user, name="Studentenclub", kind="other")

    assert str(refused.value) == (
        "Only people who work for a partner organisation can register an organisation."
    )
    assert Organisation.objects.count() == 0


def test_organisation_register_with_a_kind_that_does_not_exist_is_refused(partner_member):
    with pytest.raises(OrganisationError) as refused:
        organisation_register(user=partner_member, name="Iets", kind="company")

    assert str(refused.value) == "Please choose what kind of organisation it is."


def test_organisation_verify_records_who_and_when_and_mails_the_admins(library, coordinator):
    library.is_verified, library.verified_at = False, None
    library.save()
    member = MembershipFactory(organisation=library).user
    when = timezone.now() - timedelta(hours=1)

    organisation_verify(organisation=library, coordinator=coordinator, now=when)

    library.refresh_from_db()
    assert (library.is_verified, library.verified_at, library.verified_by) == (
        True,
        when,
        coordinator,
    )
    # The administrator hears of it; a plain member does not.
    assert mails() == [("paul@bibliotheekleiden.nl", "challenge_updates")]
    assert member.email not in dict(mails())


def test_organisation_verify_by_a_partner_is_refused(partner_member):
    organisation = OrganisationFactory(is_verified=False)

    with pytest.raises(OrganisationError) as refused:
        organisation_verify(organisation=organisation, coordinator=partner_member)

    assert str(refused.value) == "Only coordinators can verify an organisation."
    organisation.refresh_from_db()
    assert organisation.is_verified is False


def test_organisation_verify_twice_is_refused(library, coordinator):
    with pytest.raises(OrganisationError) as refused:
        organisation_verify(organisation=library, coordinator=coordinator)

    assert str(refused.value) == "Bibliotheek Leiden-Noord is already verified."
    assert mails() == []


# --- Asking to join ------------------------------------------------------------------------


def test_join_request_create_is_pending_and_mails_the_admins(library, other_partner_member):
    join_request = join_request_create(
        user=other_partner_member, organisation=library, message=" Ik ben de nieuwe taalcoach. "
    )

    assert (join_request.status, join_request.message) == (
        "pending",
        "Ik ben de nieuwe taalcoach.",
    )
    assert mails() == [("paul@bibliotheekleiden.nl", "challenge_updates")]
    assert "Ik ben de nieuwe taalcoach." in Message.objects.get().body_text


def test_join_request_create_without_admins_mails_the_coordinators(
    other_partner_member, coordinator
):
    organisation = OrganisationFactory()

    join_request_create(user=other_partner_member, organisation=organisation)

    assert mails() == [("cora@lerenmetdestad.nl", "challenge_updates")]


def test_join_request_create_twice_is_refused(library, other_partner_member):
    join_request_create(user=other_partner_member, organisation=library)

    with pytest.raises(OrganisationError) as refused:
        join_request_create(user=other_partner_member, organisation=library)

    assert str(refused.value) == (
        "You already asked to join Bibliotheek Leiden-Noord. The administrators have not "
        "decided yet. You will get an email when they do."
    )
    assert JoinRequest.objects.count() == 1


def test_join_request_one_pending_is_held_by_the_database(library, other_partner_member):
    JoinRequestFactory(user=other_partner_member, organisation=library)

    with pytest.raises(IntegrityError), transaction.atomic():
        JoinRequestFactory(user=other_partner_member, organisation=library)


def test_join_request_create_after_a_decline_is_allowed(library, other_partner_member):
    JoinRequestFactory(
        user=other_partner_member, organisation=library, status=JoinRequestStatus.DECLINED
    )

    join_request_create(user=other_partner_member, organisation=library)

    assert sorted(JoinRequest.objects.values_list("status", flat=True)) == [
        "declined",
        "pending",
    ]


def test_join_request_create_by_a_member_is_refused(library, partner_member):
    with pytest.raises(OrganisationError) as refused:
        join_request_create(user=partner_member, organisation=library)

    assert str(refused.value) == "You are already a member of Bibliotheek Leiden-Noord."
    assert JoinRequest.objects.count() == 0


def test_join_request_create_by_a_student_is_refused(library, student):
    with pytest.raises(OrganisationError) as refused:
        join_request_create(user=student, organisation=library)

    assert str(refused.value) == (
        "Only people who work for a partner organisation can ask to join one."
    )


def test_join_request_decide_approve_makes_a_member_and_mails_the_requester(
    library, partner_member, other_partner_member
):
    join_request = JoinRequestFactory(user=other_partner_member, organisation=library)

    join_request_decide(join_request=join_request, admin=partner_member, approve=True)

    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("approved", partner_member)
    assert Membership.objects.get(user=other_partner_member, organisation=library).role == (
        "member"
    )
    assert mails() == [("olga@woonzorg.example.org", "account")]


def test_join_request_decide_decline_makes_no_member_and_mails_the_requester(
    library, partner_member, other_partner_member
):
    join_request = JoinRequestFactory(user=other_partner_member, organisation=library)

    join_request_decide(join_request=join_request, admin=partner_member, approve=False)

    join_request.refresh_from_db()
    assert join_request.status == "declined"
    assert not Membership.objects.filter(user=other_partner_member).exists()
    assert mails() == [("olga@woonzorg.example.org", "account")]


def test_join_request_decide_twice_is_refused(library, partner_member, other_partner_member):
    join_request = JoinRequestFactory(user=other_partner_member, organisation=library)
    join_request_decide(join_request=join_request, admin=partner_member, approve=False)

    with pytest.raises(OrganisationError) as refused:
        join_request_decide(join_request=join_request, admin=partner_member, approve=True)

    assert str(refused.value) == "This request has already been handled. Its status is: Declined."
    assert not Membership.objects.filter(user=other_partner_member).exists()


def test_join_request_decide_by_a_plain_member_is_refused(library, other_partner_member):
    member = MembershipFactory(organisation=library).user
    join_request = JoinRequestFactory(user=other_partner_member, organisation=library)

    with pytest.raises(OrganisationError) as refused:
        join_request_decide(join_request=join_request, admin=member, approve=True)

    assert str(refused.value) == (
        "Only administrators of Bibliotheek Leiden-Noord can decide on requests to join."
    )
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_join_request_decide_by_a_coordinator_is_allowed(library, coordinator, student):
    requester = PartnerMemberFactory()
    join_request = JoinRequestFactory(user=requester, organisation=library)

    join_request_decide(join_request=join_request, admin=coordinator, approve=True)

    assert Membership.objects.filter(user=requester, organisation=library).exists()


# --- Invitations ---------------------------------------------------------------------------


def test_invitation_create_mails_a_link_that_makes_the_invitee_a_member(library, partner_member):
    token = invite(library, partner_member, role=MembershipRole.ADMIN)
    colleague = PartnerMemberFactory(email="nieuw@bibliotheekleiden.nl")

    membership = invitation_accept(token=token, user=colleague)

    assert (membership.organisation, membership.role) == (library, "admin")
    invitation = Invitation.objects.get()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (colleague, True)
    assert mails() == [("nieuw@bibliotheekleiden.nl", "account")]


def test_invitation_accept_matches_the_email_in_any_case(library, partner_member):
    token = invite(library, partner_member, email="Nieuw.Collega@BibliotheekLeiden.nl")
    colleague = PartnerMemberFactory(email="nieuw.collega@bibliotheekleiden.nl")

    invitation_accept(token=token, user=colleague)

    assert Membership.objects.filter(user=colleague, organisation=library).exists()


def test_invitation_accept_answers_a_pending_request_to_join(library, partner_member):
    colleague = PartnerMemberFactory(email="nieuw@bibliotheekleiden.nl")
    JoinRequestFactory(user=colleague, organisation=library)
    token = invite(library, partner_member)

    invitation_accept(token=token, user=colleague)

    assert list(JoinRequest.objects.values_list("status", "decided_by")) == [
        ("approved", partner_member.pk)
    ]


def test_invitation_create_for_a_member_is_refused(library, partner_member):
    with pytest.raises(OrganisationError) as refused:
        invitation_create(
            organisation=library,
            email="PAUL@bibliotheekleiden.nl",
            role=MembershipRole.MEMBER,
            invited_by=partner_member,
        )

    assert str(refused.value) == (
        "PAUL@bibliotheekleiden.nl is already a member of Bibliotheek Leiden-Noord."
    )
    assert Invitation.objects.count() == 0


def test_invitation_create_twice_for_one_address_is_refused(library, partner_member):
    invite(library, partner_member, email="nieuw@bibliotheekleiden.nl")

    with pytest.raises(OrganisationError) as refused:
        invite(library, partner_member, email="NIEUW@bibliotheekleiden.nl")

    assert str(refused.value) == (
        "NIEUW@bibliotheekleiden.nl has already been invited and has not answered yet. Ask them "
        "to look for the email from Leren met de Stad, also in their spam folder."
    )
    assert Invitation.objects.count() == 1
    assert len(mails()) == 1


def test_invitation_one_open_per_address_is_held_by_the_database(library):
    InvitationFactory(organisation=library, email="nieuw@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organisation=library, email="Nieuw@Example.org")


def test_invitation_create_replaces_an_expired_one(library, partner_member, settings):
    settings.PARTNER_INVITATION_MAX_AGE_DAYS = 3
    InvitationFactory(
        organisation=library,
        email="nieuw@bibliotheekleiden.nl",
        created_at=timezone.now() - timedelta(days=4),
    )

    invite(library, partner_member, email="nieuw@bibliotheekleiden.nl")

    assert Invitation.objects.get().created_at > timezone.now() - timedelta(minutes=1)


def test_invitation_create_by_a_plain_member_is_refused(library):
    member = MembershipFactory(organisation=library).user

    with pytest.raises(OrganisationError) as refused:
        invite(library, member)

    assert (
        str(refused.value) == "Only administrators of Bibliotheek Leiden-Noord can invite people."
    )
    assert Invitation.objects.count() == 0


def test_invitation_accept_with_a_changed_token_is_refused(library, partner_member):
    token = invite(library, partner_member)
    colleague = PartnerMemberFactory(email="nieuw@bibliotheekleiden.nl")
    pk, rest = token.split(":", 1)

    with pytest.raises(InvitationInvalidError) as refused:
        invitation_accept(token=f"{int(pk) + 1}:{rest}", user=colleague)

    assert str(refused.value) == (
        "This invitation link does not work. Perhaps part of it is missing. Copy the whole link "
        "from the email, or ask the organisation for a new invitation."
    )
    assert not Membership.objects.filter(user=colleague).exists()


def test_invitation_accept_with_a_token_signed_for_something_else_is_refused(library):
    invitation = InvitationFactory(organisation=library, email="nieuw@bibliotheekleiden.nl")
    colleague = PartnerMemberFactory(email="nieuw@bibliotheekleiden.nl")
    other_purpose = signing.TimestampSigner(salt="outbox.unsubscribe").sign(str(invitation.pk))

    with pytest.raises(InvitationInvalidError):
        invitation_accept(token=other_purpose, user=colleague)

    assert signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk)) != other_purpose
    assert not Membership.objects.filter(user=colleague).exists()


def test_invitation_accept_after_it_expired_is_refused(library, partner_member):
    token = invite(library, partner_member)
    colleague = PartnerMemberFactory(email="nieuw@bibliotheekleiden.nl")

    with pytest.raises(InvitationInvalidError) as refused:
        invitation_accept(token=token, user=colleague, now=timezone.now() + timedelta(days=15))

    assert str(refused.value) == (
        "This invitation has expired. Ask the organisation to send you a new one, or ask to "
        "join it yourself."
    )
    assert not Membership.objects.filter(user=colleague).exists()


def test_invitation_max_age_follows_the_setting(library, partner_member, settings):
    token = invite(library, partner_member)
    later = timezone.now() + timedelta(days=2)

    settings.PARTNER_INVITATION_MAX_AGE_DAYS = 3
    assert invitation_read(token=token, now=later).email == "nieuw@bibliotheekleiden.nl"
    settings.PARTNER_INVITATION_MAX_AGE_DAYS = 1
    with pytest.raises(InvitationInvalidError):
        invitation_read(token=token, now=later)


def test_invitation_accept_twice_is_refused(library, partner_member):
    token = invite(library, partner_member)
    colleague = PartnerMemberFactory(email="nieuw@bibliotheekleiden.nl")
    invitation_accept(token=token, user=colleague)

    with pytest.raises(InvitationInvalidError) as refused:
        invitation_accept(token=token, user=colleague)

    assert str(refused.value) == "This invitation has already been used."
    assert Membership.objects.filter(user=colleague).count() == 1


def test_invitation_accept_by_someone_with_another_email_is_refused(
    library, partner_member, other_partner_member
):
    token = invite(library, partner_member)

    with pytest.raises(OrganisationError) as refused:
        invitation_accept(token=token, user=other_partner_member)

    assert str(refused.value) == (
        "This invitation was sent to nieuw@bibliotheekleiden.nl, but you are logged in as "
        "olga@woonzorg.example.org. Log out, then log in or create an account with "
        "nieuw@bibliotheekleiden.nl."
    )
    assert not Membership.objects.filter(user=other_partner_member).exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_accept_by_a_student_with_the_right_email_is_refused(library, partner_member):
    token = invite(library, partner_member, email="sanne@student.hsleiden.nl")
    student = User.objects.create_user(email="sanne@student.hsleiden.nl", name="Sanne")

    with pytest.raises(OrganisationError) as refused:
        invitation_accept(token=token, user=student)

    assert str(refused.value) == (
        "Your account is not an account for a partner organisation, so it cannot join one. "
        "Please contact the coordinators of Leren met de Stad."
    )


def test_invitation_token_is_only_a_signature_over_the_pk(library, partner_member):
    token = invite(library, partner_member)

    # pk:timestamp:signature, readable only with our salt
    pk, timestamp, _signature = token.split(":")
    assert int(pk) == Invitation.objects.get().pk
    assert abs(signing.b62_decode(timestamp) - time.time()) < 60


# --- Members -------------------------------------------------------------------------------


def test_membership_remove_by_an_admin_removes_the_member(library, partner_member):
    membership = MembershipFactory(organisation=library)

    membership_remove(membership=membership, by=partner_member)

    assert list(library.memberships.values_list("user__email", flat=True)) == [
        "paul@bibliotheekleiden.nl"
    ]


def test_membership_remove_of_the_last_admin_is_refused(library, partner_member, coordinator):
    MembershipFactory(organisation=library)
    only_admin = Membership.objects.get(user=partner_member)

    for by in (partner_member, coordinator):
        with pytest.raises(OrganisationError) as refused:
            membership_remove(membership=only_admin, by=by)
        assert str(refused.value) == (
            "Paul Partner is the only administrator of Bibliotheek Leiden-Noord. Make someone "
            "else administrator first."
        )
    assert library.memberships.filter(role="admin").count() == 1


def test_membership_remove_of_one_of_two_admins_is_allowed(library, partner_member):
    AdminMembershipFactory(organisation=library)

    membership_remove(membership=Membership.objects.get(user=partner_member), by=partner_member)

    assert library.memberships.filter(role="admin").count() == 1
    assert not library.memberships.filter(user=partner_member).exists()


def test_membership_remove_by_a_plain_member_is_refused(library):
    member = MembershipFactory(organisation=library)
    other = MembershipFactory(organisation=library)

    with pytest.raises(OrganisationError) as refused:
        membership_remove(membership=other, by=member.user)

    assert str(refused.value) == (
        "Only administrators of Bibliotheek Leiden-Noord can change who is a member."
    )
    assert library.memberships.count() == 3


def test_membership_remove_by_a_coordinator_is_allowed(library, coordinator):
    membership = MembershipFactory(organisation=library)

    membership_remove(membership=membership, by=coordinator)

    assert library.memberships.count() == 1


def test_membership_set_role_demoting_the_last_admin_is_refused(library, partner_member):
    with pytest.raises(OrganisationError):
        membership_set_role(
            membership=Membership.objects.get(user=partner_member),
            role=MembershipRole.MEMBER,
            by=partner_member,
        )

    assert Membership.objects.get(user=partner_member).role == "admin"


def test_membership_set_role_promote_then_step_down(library, partner_member):
    colleague = MembershipFactory(organisation=library)

    membership_set_role(membership=colleague, role=MembershipRole.ADMIN, by=partner_member)
    membership_set_role(
        membership=Membership.objects.get(user=partner_member),
        role=MembershipRole.MEMBER,
        by=partner_member,
    )

    assert dict(library.memberships.values_list("user__email", "role")) == {
        "paul@bibliotheekleiden.nl": "member",
        colleague.user.email: "admin",
    }


# --- Demo data -----------------------------------------------------------------------------


def test_seed_organisations_is_idempotent_and_places_the_demo_partner():
    partners_demo.seed()
    seed_institutions()
    seed_users()

    first = seed_organisations()
    counts = (Organisation.objects.count(), Membership.objects.count(), User.objects.count())
    second = seed_organisations()

    assert (first, second) == (13, 0)
    assert (
        Organisation.objects.count(),
        Membership.objects.count(),
        User.objects.count(),
    ) == counts
    assert Organisation.objects.filter(is_verified=False).count() == 2
    assert dict(
        Membership.objects.filter(user__email="partner@demo.lerenmetdestad.nl").values_list(
            "organisation__kind", "role"
        )
    ) == {"library": "admin", "welfare": "member"}
    library = Organisation.objects.get(slug="bplusc-bibliotheek-leiden-noord")
    assert set(library.neighbourhoods.values_list("district", flat=True)) == {"Leiden-Noord"}
    assert list(
        JoinRequest.objects.filter(organisation=library).values_list("user__email", "status")
    ) == [("lotte.hendriks@demo.lerenmetdestad.nl", "pending")]
    extra = User.objects.filter(email__endswith="@demo.lerenmetdestad.nl", role="partner")
    assert extra.count() == 6
    assert all(
        person.emailaddress_set.filter(verified=True, primary=True).exists() for person in extra
    )
