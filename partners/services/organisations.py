"""Partner organisations and who belongs to them: register, verify, join, invite, remove.

Every write runs in one transaction. The rules that must hold when two people act at once
are backed by the database (one pending request and one open invitation per person, one
membership per person) or by a row lock (a request or invitation is decided once; an
organisation always keeps an administrator). Mails go through the outbox in the same
transaction, so a change and its mails exist together or not at all.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from accounts.rules import is_coordinator
from lerenmetdestad.locking import lock_rows, race_window
from lerenmetdestad.sealing import Secret
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from partners.enums import JoinRequestStatus, MembershipRole, OrganisationKind
from partners.models import Invitation, JoinRequest, Membership, Neighbourhood, Organisation
from partners.rules import is_partner_account
from partners.services.errors import OrganisationError

# Used for invitation links only, so a signature made for anything else never fits.
INVITATION_SALT = "partners.invitation"
# Slugs that would hide one of the fixed pages under /organisatie/.
RESERVED_SLUGS = frozenset({"nieuw", "zoeken"})
JOIN_MESSAGE_MAX_LENGTH = 1000


class OrganisationNameTakenError(OrganisationError):
    """Another organisation already has this name; forms show it at the name field."""


class InvitationInvalidError(OrganisationError):
    """The invitation link cannot be used: changed, expired, withdrawn or used already."""


# --- Registering and verifying ------------------------------------------------------------


def organisation_register(
    *,
    user: User,
    name: str,
    kind: str,
    description: str = "",
    website: str = "",
    address: str = "",
    neighbourhoods: Iterable[Neighbourhood] = (),
) -> Organisation:
    """Register a new organisation, not yet verified, with `user` as its administrator.

    Side effects: one Membership (admin); a mail to every coordinator that a new
    organisation waits for verification.
    """
    if not is_partner_account(user):
        raise OrganisationError(
            _("Only people who work for a partner organisation can register an organisation.")
        )
    name = " ".join(name.split())
    if not name:
        raise OrganisationError(_("Please fill in the name of the organisation."))
    if kind not in OrganisationKind.values:
        raise OrganisationError(_("Please choose what kind of organisation it is."))
    website = website.strip()
    if website:
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            raise OrganisationError(
                _("The website address is not correct. Write it like https://www.example.nl.")
            ) from None

    with transaction.atomic():
        if Organisation.objects.filter(name__iexact=name).exists():
            raise _name_taken(name)
        organisation = _organisation_insert(
            name=name,
            kind=kind,
            description=description.strip(),
            website=website,
            address=" ".join(address.split()),
        )
        organisation.neighbourhoods.set(neighbourhoods)
        Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.ADMIN)
        url = _admin_url_or(organisation)
        for coordinator in _coordinators():
            _mail(
                to=coordinator,
                kind=MessageKind.CHALLENGE_UPDATES,
                template="organisation_registered",
                context={"organisation": organisation, "registered_by": user, "url": url},
            )
    return organisation


def _name_taken(name: str) -> OrganisationNameTakenError:
    return OrganisationNameTakenError(
        _(
            "There is already an organisation called %(name)s. Search for it and ask to join, "
            "or choose a name that makes the difference clear."
        )
        % {"name": name}
    )


def _organisation_insert(**fields) -> Organisation:
    """Insert with the first free slug. Two registrations may want the same slug at the same
    moment; the unique index decides, and the loser tries the next slug."""
    base = slugify(fields["name"])[:150].strip("-") or "organisatie"
    for _attempt in range(5):
        taken = set(
            Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True)
        )
        taken |= RESERVED_SLUGS
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        try:
            with transaction.atomic():
                return Organisation.objects.create(slug=slug, **fields)
        except IntegrityError:
            if Organisation.objects.filter(name__iexact=fields["name"]).exists():
                raise _name_taken(fields["name"]) from None
    raise OrganisationError(_("Registering did not work this time. Please try again."))


def organisation_verify(
    *, organisation: Organisation, coordinator: User, now: datetime | None = None
) -> Organisation:
    """Mark an organisation as checked by a coordinator.

    Side effects: a mail to each of its administrators.
    """
    if not is_coordinator(coordinator):
        raise OrganisationError(_("Only coordinators can verify an organisation."))
    now = now or timezone.now()
    with transaction.atomic():
        organisation = lock_rows(Organisation.objects).get(pk=organisation.pk)
        if organisation.is_verified:
            raise OrganisationError(
                _("%(name)s is already verified.") % {"name": organisation.name}
            )
        organisation.is_verified = True
        organisation.verified_at = now
        organisation.verified_by = coordinator
        organisation.save(update_fields=["is_verified", "verified_at", "verified_by"])
        url = _url("partners:organisation", slug=organisation.slug)
        for admin in _admins(organisation):
            _mail(
                to=admin,
                kind=MessageKind.CHALLENGE_UPDATES,
                template="organisation_verified",
                context={"organisation": organisation, "url": url},
            )
    return organisation


# --- Asking to join ------------------------------------------------------------------------


def join_request_create(
    *, user: User, organisation: Organisation, message: str = ""
) -> JoinRequest:
    """Ask to join an organisation. Its administrators decide.

    Side effects: a mail to each administrator, or to the coordinators when the
    organisation has no administrator.
    """
    if not is_partner_account(user):
        raise OrganisationError(
            _("Only people who work for a partner organisation can ask to join one.")
        )
    message = message.strip()
    if len(message) > JOIN_MESSAGE_MAX_LENGTH:
        raise OrganisationError(
            _("Your message is too long. Please keep it under %(count)d characters.")
            % {"count": JOIN_MESSAGE_MAX_LENGTH}
        )
    names = {"name": organisation.name}
    with transaction.atomic():
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise OrganisationError(_("You are already a member of %(name)s.") % names)
        try:
            with transaction.atomic():
                join_request = JoinRequest.objects.create(
                    user=user, organisation=organisation, message=message
                )
        except IntegrityError:
            # join_request_one_pending: one pending request per person and organisation.
            raise OrganisationError(
                _(
                    "You already asked to join %(name)s. The administrators have not decided "
                    "yet. You will get an email when they do."
                )
                % names
            ) from None
        url = _url("partners:members", slug=organisation.slug)
        for person in _admins(organisation) or _coordinators():
            _mail(
                to=person,
                kind=MessageKind.CHALLENGE_UPDATES,
                template="join_request_created",
                context={"organisation": organisation, "join_request": join_request, "url": url},
            )
    return join_request


def join_request_decide(
    *, join_request: JoinRequest, admin: User, approve: bool, now: datetime | None = None
) -> JoinRequest:
    """Approve or decline a pending request; approving makes the person a member.

    The request row is locked, so two administrators deciding at once decide it once.
    Side effects: a Membership when approved; a mail to the person who asked.
    """
    now = now or timezone.now()
    with transaction.atomic():
        join_request = lock_rows(JoinRequest.objects).get(pk=join_request.pk)
        organisation = join_request.organisation
        if not _may_manage(admin, organisation):
            raise OrganisationError(
                _("Only administrators of %(name)s can decide on requests to join.")
                % {"name": organisation.name}
            )
        if join_request.status != JoinRequestStatus.PENDING:
            raise OrganisationError(
                _("This request has already been handled. Its status is: %(status)s.")
                % {"status": join_request.get_status_display()}
            )
        race_window()
        join_request.status = JoinRequestStatus.APPROVED if approve else JoinRequestStatus.DECLINED
        join_request.decided_at = now
        join_request.decided_by = admin
        join_request.save(update_fields=["status", "decided_at", "decided_by"])
        if approve:
            # The person may have come in through an invitation meanwhile.
            Membership.objects.get_or_create(
                user_id=join_request.user_id,
                organisation=organisation,
                defaults={"role": MembershipRole.MEMBER, "created_at": now},
            )
        _mail(
            to=join_request.user,
            kind=MessageKind.ACCOUNT,
            template="join_request_decided",
            context={
                "organisation": organisation,
                "approved": approve,
                "url": _url("partners:organisation", slug=organisation.slug)
                if approve
                else _url("partners:organisation-search"),
            },
        )
    return join_request


# --- Invitations ---------------------------------------------------------------------------


def invitation_max_age() -> timedelta:
    return timedelta(days=settings.PARTNER_INVITATION_MAX_AGE_DAYS)


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + invitation_max_age()


def invitation_token(invitation: Invitation) -> str:
    """The signed, expiring key in the invitation link. It names the invitation and
    nothing else; who may use it is checked against the signed-in person."""
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))


def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str = MembershipRole.MEMBER,
    invited_by: User,
    now: datetime | None = None,
) -> Invitation:
    """Invite someone by email to join an organisation.

    An expired invitation to the same address is replaced; an open one refuses.
    Side effects: a mail to the address with a signed link that expires after
    PARTNER_INVITATION_MAX_AGE_DAYS.
    """
    if not _may_manage(invited_by, organisation):
        raise OrganisationError(
            _("Only administrators of %(name)s can invite people.") % {"name": organisation.name}
        )
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise OrganisationError(
            _("This is not a correct email address. Please check it for typing errors.")
        ) from None
    if role not in MembershipRole.values:
        raise OrganisationError(_("Please choose a role: administrator or member."))
    now = now or timezone.now()
    names = {"email": email, "name": organisation.name}
    with transaction.atomic():
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise OrganisationError(_("%(email)s is already a member of %(name)s.") % names)
        # An expired invitation cannot be used any more; it must not block a new one.
        Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            created_at__lt=now - invitation_max_age(),
        ).delete()
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    organisation=organisation,
                    email=email,
                    role=role,
                    invited_by=invited_by,
                    created_at=now,
                )
        except IntegrityError:
            # invitation_one_open_per_email
            raise OrganisationError(
                _(
                    "%(email)s has already been invited and has not answered yet. Ask them to "
                    "look for the email from Leren met de Stad, also in their spam folder."
                )
                % names
            ) from None
        recipient = User.objects.filter(email__iexact=email, is_active=True).first()
        token = invitation_token(invitation)
        message_render_and_queue(
            kind=MessageKind.ACCOUNT,
            template_prefix="partners/mail/invitation",
            context={
                "organisation": organisation,
                "invitation": invitation,
                "invited_by": invited_by,
                # Whoever holds the link can join the organisation: for the invitee alone.
                "url": Secret(_url("partners:invitation-accept", token=token)),
                "expires_at": invitation_expires_at(invitation),
            },
            user=recipient,
            to_email=email,
        )
    return invitation


def invitation_read(*, token: str, now: datetime | None = None) -> Invitation:
    """The open invitation a link points to, or InvitationInvalidError saying why not.

    `now` lets tests (and a page that shows what will happen) look from another moment;
    the signature's own timestamp decides whether the link has expired.
    """
    shift = (now - timezone.now()) if now is not None else timedelta(0)
    try:
        pk = signing.TimestampSigner(salt=INVITATION_SALT).unsign(
            token, max_age=invitation_max_age() - shift
        )
    except signing.SignatureExpired:
        raise InvitationInvalidError(
            _(
                "This invitation has expired. Ask the organisation to send you a new one, "
                "or ask to join it yourself."
            )
        ) from None
    except signing.BadSignature:
        raise InvitationInvalidError(
            _(
                "This invitation link does not work. Perhaps part of it is missing. Copy the "
                "whole link from the email, or ask the organisation for a new invitation."
            )
        ) from None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=int(pk)).first()
    )
    if invitation is None:
        raise InvitationInvalidError(
            _("This invitation has been withdrawn. Ask the organisation for a new one.")
        )
    if invitation.accepted_at is not None:
        raise InvitationInvalidError(_("This invitation has already been used."))
    return invitation


def invitation_refusal(*, invitation: Invitation, user: User) -> str | None:
    """Why this signed-in person may not accept the invitation, or None if they may."""
    if not _has_email(user, invitation.email):
        return _(
            "This invitation was sent to %(invited)s, but you are logged in as %(yours)s. "
            "Log out, then log in or create an account with %(invited)s."
        ) % {"invited": invitation.email, "yours": user.email}
    if not is_partner_account(user):
        return _(
            "Your account is not an account for a partner organisation, so it cannot join "
            "one. Please contact the coordinators of Leren met de Stad."
        )
    return None


def invitation_accept(*, token: str, user: User, now: datetime | None = None) -> Membership:
    """Accept an invitation: the signed-in person becomes a member with the invited role.

    The invitation row is locked, so a link works once even when clicked twice at once.
    A pending request of the same person to join is answered along the way.
    """
    now = now or timezone.now()
    invitation = invitation_read(token=token, now=now)
    with transaction.atomic():
        invitation = lock_rows(Invitation.objects).filter(pk=invitation.pk).first()
        if invitation is None:
            raise InvitationInvalidError(
                _("This invitation has been withdrawn. Ask the organisation for a new one.")
            )
        if invitation.accepted_at is not None:
            raise InvitationInvalidError(_("This invitation has already been used."))
        refusal = invitation_refusal(invitation=invitation, user=user)
        if refusal:
            raise OrganisationError(refusal)
        race_window()
        membership, _created = Membership.objects.get_or_create(
            user=user,
            organisation_id=invitation.organisation_id,
            defaults={"role": invitation.role, "created_at": now},
        )
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        JoinRequest.objects.filter(
            user=user, organisation_id=invitation.organisation_id, status=JoinRequestStatus.PENDING
        ).update(
            status=JoinRequestStatus.APPROVED, decided_at=now, decided_by=invitation.invited_by_id
        )
    return membership


def _has_email(user: User, email: str) -> bool:
    if user.email.casefold() == email.casefold():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


# --- Members -------------------------------------------------------------------------------


def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove someone from an organisation. The last administrator cannot be removed.

    The organisation's memberships are locked together, so two administrators removing
    each other at the same moment cannot leave it without one.
    """
    with transaction.atomic():
        target, members = _lock_members(membership)
        _check_may_manage(by, target.organisation, members)
        if target.role == MembershipRole.ADMIN and _admin_count(members) <= 1:
            raise _last_admin(target)
        race_window()
        target.delete()


def membership_set_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Make someone administrator or member. The last administrator stays administrator."""
    if role not in MembershipRole.values:
        raise OrganisationError(_("Please choose a role: administrator or member."))
    with transaction.atomic():
        target, members = _lock_members(membership)
        _check_may_manage(by, target.organisation, members)
        if target.role == role:
            return target
        if target.role == MembershipRole.ADMIN and _admin_count(members) <= 1:
            raise _last_admin(target)
        race_window()
        target.role = role
        target.save(update_fields=["role"])
    return target


def _lock_members(membership: Membership) -> tuple[Membership, list[Membership]]:
    # Ordered by pk, not the model's ordering: that joins user and organisation, and
    # FOR UPDATE would then lock those rows too.
    members = list(
        lock_rows(Membership.objects.filter(organisation_id=membership.organisation_id)).order_by(
            "pk"
        )
    )
    target = next((member for member in members if member.pk == membership.pk), None)
    if target is None:
        raise OrganisationError(_("This person is no longer a member."))
    return target, members


def _check_may_manage(by: User, organisation: Organisation, members: list[Membership]) -> None:
    is_admin = any(m.user_id == by.pk and m.role == MembershipRole.ADMIN for m in members)
    if not (is_admin or is_coordinator(by)):
        raise OrganisationError(
            _("Only administrators of %(name)s can change who is a member.")
            % {"name": organisation.name}
        )


def _admin_count(members: list[Membership]) -> int:
    return sum(member.role == MembershipRole.ADMIN for member in members)


def _last_admin(membership: Membership) -> OrganisationError:
    return OrganisationError(
        _(
            "%(person)s is the only administrator of %(name)s. Make someone else administrator "
            "first."
        )
        % {"person": membership.user, "name": membership.organisation.name}
    )


# --- Helpers -------------------------------------------------------------------------------


def _may_manage(user: User, organisation: Organisation) -> bool:
    if is_coordinator(user):
        return True
    return Membership.objects.filter(
        user=user, organisation=organisation, role=MembershipRole.ADMIN
    ).exists()


def _admins(organisation: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role=MembershipRole.ADMIN,
        ).order_by("pk")
    )


def _coordinators() -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR).order_by("pk")


def _mail(*, to: User, kind: MessageKind, template: str, context: dict) -> None:
    message_render_and_queue(
        kind=kind, template_prefix=f"partners/mail/{template}", context=context, user=to
    )


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def _admin_url_or(organisation: Organisation) -> str:
    """Where coordinators verify: the admin page if it is installed, else the dashboard."""
    try:
        return _url("admin:partners_organisation_change", object_id=organisation.pk)
    except NoReverseMatch:
        return _url("partners:organisation", slug=organisation.slug)
