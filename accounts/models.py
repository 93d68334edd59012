from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import InstitutionKind, Language, Position, Role, Weekday
from accounts.managers import UserManager


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, help_text=_("Your first and last name."))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Off until the person says yes: public pages name lecturers and contact people only
    # with this consent, which the profile lets them take back at any time.
    name_public = models.BooleanField(_("show my name on public pages"), default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="user_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_coordinator(self) -> bool:
        return self.is_staff and self.role == Role.COORDINATOR


class Institution(models.Model):
    """A school, university of applied sciences or university whose people use the platform."""

    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("type"), max_length=3, choices=InstitutionKind.choices)
    city = models.CharField(_("city"), max_length=80, default="Leiden")
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="institution_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(kind__in=InstitutionKind.values), name="institution_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionEmailDomain(models.Model):
    """An email domain that belongs to one institution, used to propose it at sign-up."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(_("domain"), max_length=120, help_text=_("For example hsleiden.nl"))

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="institution_domain_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(domain__regex=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$"),
                name="institution_domain_lowercase_host",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class StudentProfile(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="student_profile", primary_key=True
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("institution"),
        null=True,
        blank=True,
    )
    programme = models.CharField(_("programme"), max_length=150, blank=True)
    level = models.CharField(
        _("level of education"), max_length=3, choices=InstitutionKind.choices, blank=True
    )
    study_year = models.PositiveSmallIntegerField(_("study year"), null=True, blank=True)
    themes = models.ManyToManyField(
        "partners.Theme", blank=True, related_name="+", verbose_name=_("themes of interest")
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=Language.choices),
        default=list,
        blank=True,
        verbose_name=_("languages you can work in"),
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        default=list,
        blank=True,
        verbose_name=_("days you are available"),
    )

    class Meta:
        verbose_name = _("student profile")
        verbose_name_plural = _("student profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(study_year__isnull=True)
                | models.Q(study_year__gte=1, study_year__lte=8),
                name="student_study_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(level="") | models.Q(level__in=InstitutionKind.values),
                name="student_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(weekdays__contained_by=Weekday.values),
                name="student_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(languages__contained_by=Language.values),
                name="student_languages_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_complete(self) -> bool:
        return bool(self.institution_id and self.programme and self.level)


class ResearcherProfile(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="researcher_profile", primary_key=True
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="researchers",
        verbose_name=_("institution"),
        null=True,
        blank=True,
    )
    position = models.CharField(
        _("position"), max_length=20, choices=Position.choices, default=Position.RESEARCHER
    )
    expertise = models.TextField(
        _("expertise"), blank=True, help_text=_("What you know about and work on, in a few lines.")
    )
    themes = models.ManyToManyField(
        "partners.Theme", blank=True, related_name="+", verbose_name=_("themes")
    )

    class Meta:
        verbose_name = _("researcher or lecturer profile")
        verbose_name_plural = _("researcher and lecturer profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(position__in=Position.values), name="researcher_position_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def is_complete(self) -> bool:
        return bool(self.institution_id and self.expertise)


class ErasureFailure(models.Model):
    """An account the retention job could not erase: shown to coordinators until it is.

    One row per account; the job updates it at every failed try and deletes it once the
    erasure succeeds.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="erasure_failure", verbose_name=_("account")
    )
    reason = models.TextField(_("why it failed"))
    first_failed_at = models.DateTimeField(_("first failed"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("last failed"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)

    class Meta:
        verbose_name = _("erasure that failed")
        verbose_name_plural = _("erasures that failed")
        ordering = ["-last_failed_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason[:60]}"
