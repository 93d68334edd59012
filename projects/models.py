from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import InstitutionKind, Weekday
from partners.enums import CslLevel
from projects.enums import (
    AdmissionMode,
    CohortState,
    EnrolmentState,
    LocationKind,
    ProjectLanguage,
)


class AcademicPeriod(models.Model):
    """A semester or block that coordinators group cohorts by."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        verbose_name = _("academic period")
        verbose_name_plural = _("academic periods")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A Community Service Learning project, made from an accepted challenge."""

    challenge = models.ForeignKey(
        "partners.Challenge",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("challenge"),
    )
    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        "partners.Theme", related_name="projects", verbose_name=_("themes")
    )
    neighbourhood = models.ForeignKey(
        "partners.Neighbourhood",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("neighbourhood"),
    )
    location_kind = models.CharField(
        _("where"), max_length=12, choices=LocationKind.choices, default=LocationKind.OP_LOCATIE
    )
    location = models.CharField(_("address"), max_length=200, blank=True)
    organisations = models.ManyToManyField(
        "partners.Organisation", related_name="projects", verbose_name=_("partner organisations")
    )
    lecturers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lecturers"),
    )
    csl_level = models.CharField(_("CSL level"), max_length=10, choices=CslLevel.choices)
    institution_kinds = ArrayField(
        models.CharField(max_length=3, choices=InstitutionKind.choices),
        verbose_name=_("for students of"),
    )
    language = models.CharField(
        _("language"), max_length=4, choices=ProjectLanguage.choices, default=ProjectLanguage.DUTCH
    )
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=Weekday.choices),
        default=list,
        verbose_name=_("days"),
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))
    works_with_vulnerable_residents = models.BooleanField(
        _("works with vulnerable residents"),
        default=False,
        help_text=_("Students then need a certificate of conduct (VOG)."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Kept by PostgreSQL itself, so no write path can forget it. Dutch stemming lets
    # "eenzaam" find "eenzaamheid"; titles weigh most.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="dutch")
        + SearchVector("summary", weight="B", config="dutch")
        + SearchVector("description", weight="C", config="dutch"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["search_vector"], name="project_search"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="project_title_trgm"),
            GinIndex(fields=["institution_kinds"], name="project_institution_kinds"),
            GinIndex(fields=["weekdays"], name="project_weekdays"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(csl_level__in=CslLevel.values), name="project_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(institution_kinds__contained_by=InstitutionKind.values)
                & ~models.Q(institution_kinds=[]),
                name="project_institution_kinds_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(weekdays__contained_by=Weekday.values),
                name="project_weekdays_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__gte=1, hours_per_week__lte=40),
                name="project_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.slug])


class Cohort(models.Model):
    """One run of a project: a team of students over 5 to 10 weeks."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cohorts")
    number = models.PositiveSmallIntegerField(_("number"))
    period = models.ForeignKey(
        AcademicPeriod,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohorts",
        verbose_name=_("academic period"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    registration_opens_at = models.DateTimeField(_("registration opens"))
    registration_closes_at = models.DateTimeField(_("registration closes"))
    min_size = models.PositiveSmallIntegerField(_("minimum team size"), default=3)
    max_size = models.PositiveSmallIntegerField(_("places"), default=8)
    admission_mode = models.CharField(
        _("admission"),
        max_length=12,
        choices=AdmissionMode.choices,
        default=AdmissionMode.FIRST_COME,
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=CohortState.choices,
        default=CohortState.PLANNED,
        db_index=True,
    )
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="cohort_number_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=CohortState.values), name="cohort_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(admission_mode__in=AdmissionMode.values),
                name="cohort_admission_valid",
            ),
            # 5 to 10 weeks: the end is 4 weeks and 5 days to 10 weeks after the start
            # (a cohort that starts on a Monday and ends on the Friday of week five counts).
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on") + 32)
                & models.Q(ends_on__lte=models.F("starts_on") + 70),
                name="cohort_five_to_ten_weeks",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="cohort_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(min_size__gte=1) & models.Q(max_size__gte=models.F("min_size")),
                name="cohort_sizes_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} · {self.number}"


class Enrolment(models.Model):
    """A student in a cohort: a member, on the waiting list, applied, or gone."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    state = models.CharField(_("state"), max_length=10, choices=EnrolmentState.choices)
    motivation = models.TextField(_("motivation"), blank=True, max_length=3000)
    vog_confirmed = models.BooleanField(
        _("student confirms a certificate of conduct (VOG)"), default=False
    )
    vog_checked_at = models.DateTimeField(_("VOG checked"), null=True, blank=True)
    vog_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The waiting list is first in, first out by this moment.
    queued_at = models.DateTimeField(_("joined the queue"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["queued_at", "pk"]
        indexes = [models.Index(fields=["cohort", "state", "queued_at"], name="enrolment_queue")]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "student"], name="enrolment_once_per_cohort"),
            models.CheckConstraint(
                condition=models.Q(state__in=EnrolmentState.values), name="enrolment_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.cohort}"


class CohortLogEntry(models.Model):
    """The history of a cohort: each state change and override, with who and why."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=10, choices=CohortState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=CohortState.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("cohort log entry")
        verbose_name_plural = _("cohort history")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} · {self.cohort}"


class CohortPreference(models.Model):
    """A student's ranking of a cohort in preference mode; 1 is their first choice.

    The matching engine reads these when the window closes and allocates places.
    """

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_preferences"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField(_("rank"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["student", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "cohort"], name="preference_once_per_cohort"
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=20), name="preference_rank_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.rank} · {self.cohort}"
