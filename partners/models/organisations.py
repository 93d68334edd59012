from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.enums import JoinRequestStatus, MembershipRole, OrganisationKind


class Organisation(models.Model):
    """A partner organisation that brings challenges and hosts student teams."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=OrganisationKind.choices
    )
    description = models.TextField(
        _("what the organisation does"),
        blank=True,
        help_text=_("Two or three sentences are enough."),
    )
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(
        _("address"), max_length=200, blank=True, help_text=_("Street, number and postcode.")
    )
    neighbourhoods = models.ManyToManyField(
        "partners.Neighbourhood",
        blank=True,
        related_name="organisations",
        verbose_name=_("neighbourhoods it works in"),
    )
    is_verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    team_budget = models.PositiveSmallIntegerField(
        _("student teams at the same time"),
        default=2,
        help_text=_("How many student teams the organisation can host at once."),
    )
    is_public = models.BooleanField(
        _("show on the public site"),
        default=True,
        help_text=_("Show the organisation's name and public challenges to everyone."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(is_verified=False) | models.Q(verified_at__isnull=False),
                name="organisation_verified_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("member since"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


class JoinRequest(models.Model):
    """Someone asks to join an organisation; one of its administrators decides."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=JoinRequestStatus.values),
                name="join_request_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


class Invitation(models.Model):
    """An administrator invites a colleague by email; the link in the mail is signed and expires."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"
