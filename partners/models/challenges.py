import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.enums import ChallengeAction, ChallengeState, CslLevel, ResidentInvolvement


class Challenge(models.Model):
    """A city challenge (vraagstuk) that a partner organisation brings to the platform."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="challenges",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    title = models.CharField(_("title"), max_length=120)
    question = models.TextField(_("the question"), max_length=2000)
    background = models.TextField(_("background"), blank=True, max_length=5000)
    target_group = models.CharField(_("who it is for"), max_length=300, blank=True)
    themes = models.ManyToManyField(
        "partners.Theme", related_name="challenges", blank=True, verbose_name=_("themes")
    )
    neighbourhoods = models.ManyToManyField(
        "partners.Neighbourhood",
        related_name="challenges",
        blank=True,
        verbose_name=_("neighbourhoods"),
    )
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    # A resident who brought the question in at Op Locatie, if they wanted to be contacted.
    # Coordinators only; challenge_transition blanks them when the challenge ends.
    resident_name = models.CharField(_("resident's name"), max_length=150, blank=True)
    resident_phone = models.CharField(_("resident's phone"), max_length=30, blank=True)
    resident_email = models.EmailField(_("resident's email"), blank=True)
    place = models.CharField(_("where students can work"), max_length=200, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week of support"), null=True, blank=True
    )
    desired_start = models.DateField(_("start from"), null=True, blank=True)
    desired_end = models.DateField(_("finish by"), null=True, blank=True)
    desired_level = models.CharField(
        _("CSL level"), max_length=10, choices=CslLevel.choices, blank=True
    )
    resident_involvement = models.CharField(
        _("how much residents are involved"),
        max_length=10,
        choices=ResidentInvolvement.choices,
        default=ResidentInvolvement.NONE,
    )
    resident_contacts_per_month = models.PositiveSmallIntegerField(
        _("resident contact moments per month"), default=0
    )
    is_societal = models.BooleanField(_("the question serves society"), default=False)
    is_non_commercial = models.BooleanField(_("there is no commercial interest"), default=False)
    has_no_consultant_budget = models.BooleanField(
        _("there is no budget to hire a paid consultant"), default=False
    )
    is_public = models.BooleanField(_("may be shown publicly"), default=False)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=ChallengeState.choices,
        default=ChallengeState.DRAFT,
        db_index=True,
    )
    # Raised on every change; forms carry it so a stale form is refused, not silently applied.
    version = models.PositiveIntegerField(default=1)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-state_changed_at"]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="challenge_queue")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ChallengeState.values), name="challenge_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(desired_level="") | models.Q(desired_level__in=CslLevel.values),
                name="challenge_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(desired_start__isnull=True)
                | models.Q(desired_end__isnull=True)
                | models.Q(desired_end__gte=models.F("desired_start")),
                name="challenge_period_ordered",
            ),
            # Nothing leaves draft without the partner confirming the eligibility checklist.
            models.CheckConstraint(
                condition=models.Q(state="draft")
                | models.Q(is_societal=True, is_non_commercial=True, has_no_consultant_budget=True),
                name="challenge_eligible_unless_draft",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="declined") | ~models.Q(decision_reason=""),
                name="challenge_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(submitted_at__isnull=False),
                name="challenge_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["closed", "declined"])
                | models.Q(resident_name="", resident_phone="", resident_email=""),
                name="challenge_ended_keeps_no_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partners:challenge", args=[self.pk])


def attachment_path(instance: "ChallengeAttachment", filename: str) -> str:
    # A random name, so stored paths reveal nothing and never collide.
    suffix = PurePath(filename).suffix.lower()
    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}{suffix}"


class ChallengeAttachment(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ChallengeMessage(models.Model):
    """The conversation on a challenge. Internal notes are for coordinators only."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("conversation")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class ChallengeLogEntry(models.Model):
    """The history of a challenge: every transition, edit and override, with who and why."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=ChallengeAction.choices)
    from_state = models.CharField(max_length=12, choices=ChallengeState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ChallengeState.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("history")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.challenge}"
