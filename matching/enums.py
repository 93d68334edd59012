from django.db import models
from django.utils.translation import gettext_lazy as _


class AllocationMode(models.TextChoices):
    WELFARE = "welfare", _("Most wishes met (maximum welfare)")
    STABLE = "stable", _("Stable: students and projects both ranked (Abraham, Irving, Manlove)")


class AllocationRunState(models.TextChoices):
    DRY_RUN = "dry_run", _("Dry run, to review")
    PUBLISHED = "published", _("Published")
    DISCARDED = "discarded", _("Discarded")


class UnplacedReason(models.TextChoices):
    """Why a student has no place; the dry run shows it, the mail says it in plain words."""

    NONE_ELIGIBLE = "none_eligible", _("None of the chosen groups is open to this student")
    FULL = "full", _("All chosen groups were full with students who ranked them higher")
    BELOW_MINIMUM = "below_minimum", _("The chosen groups did not reach their minimum size")
    NOT_RANKED = "not_ranked", _("The projects chosen did not accept this student")
