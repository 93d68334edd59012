from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.enums import AllocationMode, AllocationRunState, UnplacedReason


class AllocationRun(models.Model):
    """One allocation of places over cohorts in preference mode: a dry run, then published.

    The placements are the engine's proposal; publishing turns them into enrolments through
    the projects service, which marks each cohort allocated so nothing is placed twice.
    """

    mode = models.CharField(_("mode"), max_length=10, choices=AllocationMode.choices)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=AllocationRunState.choices,
        default=AllocationRunState.DRY_RUN,
        db_index=True,
    )
    cohorts = models.ManyToManyField(
        "projects.Cohort", related_name="allocation_runs", verbose_name=_("groups")
    )
    # Figures of the dry run (placed, first choice, unplaced, what minimum sizes and mixing
    # cost), kept as the engine reported them so the review page needs no recomputation.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mode__in=AllocationMode.values), name="allocation_mode_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=AllocationRunState.values),
                name="allocation_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state=AllocationRunState.PUBLISHED, published_at__isnull=False)
                | (~models.Q(state=AllocationRunState.PUBLISHED) & models.Q(published_at=None)),
                name="allocation_published_when_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class Placement(models.Model):
    """One student's outcome in a run: a cohort and the rank it had on their list, or none."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="placements")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cohort = models.ForeignKey(
        "projects.Cohort", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("choice"), null=True, blank=True)
    unplaced_reason = models.CharField(
        _("why no place"), max_length=20, choices=UnplacedReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["run", "cohort", "rank", "student"]
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="placement_once_per_run"),
            models.CheckConstraint(
                condition=(
                    models.Q(cohort__isnull=False, rank__gte=1, unplaced_reason="")
                    | models.Q(cohort=None, rank=None)
                    & models.Q(unplaced_reason__in=UnplacedReason.values)
                ),
                name="placement_placed_or_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.cohort or '-'}"
