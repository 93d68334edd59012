import secrets

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
    DossierState,
    EnrolmentState,
    HoursState,
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
    # When a group enters its handover, the lifecycle job plans the next group of a project
    # that continues, so students can register before the knowledge goes cold.
    continues = models.BooleanField(
        _("runs again after each group"),
        default=True,
        help_text=_("The next group is planned as soon as the current one hands over."),
    )
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
    # The start of the project's soonest group in state open (None without one): what the
    # discovery list sorts by, stored so that the sort is an index scan that stops after one
    # page. Written only by projects.services.next_open, which every service that creates a
    # cohort or changes its state or dates calls in its own transaction.
    next_open_start = models.DateField(
        _("next open group starts"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["search_vector"], name="project_search"),
            GinIndex(fields=["institution_kinds"], name="project_institution_kinds"),
            GinIndex(fields=["weekdays"], name="project_weekdays"),
            # The discovery list's default order, exactly as projects.filters sorts.
            models.Index(
                models.F("next_open_start").asc(nulls_last=True),
                "title",
                "id",
                name="project_next_open_order",
            ),
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


class TitleWord(models.Model):
    """A word that occurs in a project title, with its Dutch stem.

    Search compares a term letter by letter (pg_trgm) with these few thousand words instead
    of with every title, so "buurt" finds the stem of "Buurtmoestuin" in a fraction of a
    millisecond; the projects themselves are then found through the full-text index
    (projects.selectors.projects_matching). Written only by the trigger of migration 0005,
    so every write to a title, bulk and raw ones included, adds its words. Words of a title
    that changed stay: they cost one search term that matches no title.
    """

    word = models.TextField(primary_key=True)
    lexeme = models.TextField()

    class Meta:
        verbose_name = _("title word")
        verbose_name_plural = _("title words")
        indexes = [GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="titleword_trgm")]

    def __str__(self) -> str:
        return self.word


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
    # Set once, under the cohort's lock, when an allocation of places in preference mode is
    # published; a second publication for the same cohort is refused by its presence.
    allocated_at = models.DateTimeField(_("places allocated"), null=True, blank=True)
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


class ApplicantRank(models.Model):
    """A lecturer's or partner's ranking of a student who ranked a cohort of their project.

    The stable allocation mode reads these; 1 is the student the project would take first.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="applicant_ranks")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant_ranks"
    )
    rank = models.PositiveIntegerField(_("rank"))
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ranked_at = models.DateTimeField(_("ranked"), default=timezone.now)

    class Meta:
        verbose_name = _("applicant ranking")
        verbose_name_plural = _("applicant rankings")
        ordering = ["project_id", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "student"], name="applicant_rank_once_per_project"
            ),
            models.UniqueConstraint(fields=["project", "rank"], name="applicant_rank_unique"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="applicant_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.rank} · {self.student}"


# --- After a group: the handover to the next one, and what each side gives back ---------------


def handover_file_path(instance: "HandoverProduct", filename: str) -> str:
    # Not guessable from the outside and never served directly: downloads go through a view
    # that checks who asks (MEDIA_URL is unset on purpose).
    return f"handover/{instance.dossier.cohort_id}/{secrets.token_hex(8)}/{filename}"


class HandoverDossier(models.Model):
    """What a group hands over to the next: written by the team, approved by partner or coordinator.

    `version` rises with every save; an edit says which version it started from, so a save on
    top of someone else's newer one is refused with a conflict instead of silently lost.
    """

    cohort = models.OneToOneField(
        Cohort, on_delete=models.CASCADE, related_name="handover", verbose_name=_("group")
    )
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    work_done = models.TextField(_("what we did"), blank=True, max_length=10000)
    results = models.TextField(_("results"), blank=True, max_length=10000)
    contacts = models.TextField(
        _("contacts"),
        blank=True,
        max_length=3000,
        help_text=_("Organisations and roles the next team can turn to. No residents' details."),
    )
    resident_voices = models.TextField(
        _("what residents said"),
        blank=True,
        max_length=5000,
        help_text=_("In general terms: never names or other details of residents."),
    )
    open_questions = models.TextField(_("open questions"), blank=True, max_length=5000)
    advice = models.TextField(_("advice for the next team"), blank=True, max_length=5000)
    public_summary = models.TextField(
        _("public summary"),
        blank=True,
        max_length=3000,
        help_text=_("Shown on the project page and in the public knowledge base."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DossierState.choices, default=DossierState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("last saved"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(_("note with the decision"), blank=True, max_length=3000)

    class Meta:
        verbose_name = _("handover dossier")
        verbose_name_plural = _("handover dossiers")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=DossierState.values), name="dossier_state_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=DossierState.APPROVED)
                | models.Q(decided_at__isnull=False),
                name="dossier_approved_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return str(self.cohort)


class HandoverDossierVersion(models.Model):
    """Every saved state of a dossier, so nothing the team wrote is ever lost."""

    dossier = models.ForeignKey(HandoverDossier, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("dossier version")
        verbose_name_plural = _("dossier versions")
        ordering = ["dossier", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="dossier_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.number}"


class HandoverProduct(models.Model):
    """A result of the group: a file or a link, public or for the next team only."""

    dossier = models.ForeignKey(HandoverDossier, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(_("title"), max_length=150)
    url = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to=handover_file_path, max_length=200, blank=True)
    public = models.BooleanField(_("anyone may see this"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("result or product")
        verbose_name_plural = _("results and products")
        ordering = ["dossier", "added_at", "pk"]
        constraints = [
            # Exactly one of the two: a link or a file.
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file=""))
                | (~models.Q(url="") & models.Q(file="")),
                name="handover_product_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Reflection(models.Model):
    """A student's look back on their group: what they learned and what it meant for the city."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="reflection", verbose_name=_("place")
    )
    learned = models.TextField(_("what did you learn?"), max_length=5000)
    contribution = models.TextField(
        _("what did your work mean for the people you worked with?"), max_length=5000
    )
    next_time = models.TextField(_("what would you do differently?"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return str(self.enrolment)


class HoursEntry(models.Model):
    """Hours a student worked for the group, confirmed or disputed by lecturer or partner."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="hours", verbose_name=_("place")
    )
    worked_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    description = models.CharField(_("what you did"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=HoursState.choices, default=HoursState.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    dispute_note = models.CharField(_("why disputed"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        ordering = ["enrolment", "worked_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="hours_within_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=HoursState.values), name="hours_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state=HoursState.SUBMITTED) | models.Q(decided_at__isnull=False),
                name="hours_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.worked_on} · {self.hours}"


class PartnerFeedback(models.Model):
    """The partner organisation's word on how the group worked with them; one per organisation."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("group")
    )
    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("how useful was the group's work? (1 to 5)"))
    went_well = models.TextField(_("what went well"), max_length=5000)
    could_improve = models.TextField(_("what could be better"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("partner feedback")
        verbose_name_plural = _("partner feedback")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "organisation"], name="feedback_once_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.cohort}"
