from django.db import models
from django.utils.translation import gettext_lazy as _


class LocationKind(models.TextChoices):
    OP_LOCATIE = "op_locatie", _("Op Locatie, Leiden-Noord")
    PARTNER = "partner", _("At the partner organisation")
    ELSEWHERE = "elsewhere", _("Elsewhere in Leiden")


class ProjectLanguage(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
    BOTH = "both", _("Dutch and English")


class AdmissionMode(models.TextChoices):
    FIRST_COME = "first_come", _("First come, first served")
    APPLICATION = "application", _("Application with motivation")
    PREFERENCE = "preference", _("Ranking of preferences")


class CohortState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    RUNNING = "running", _("Running")
    HANDOVER = "handover", _("Handing over")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# A partner hosts a team from the moment registration opens until the handover is done.
HOSTING_STATES = frozenset(
    {CohortState.OPEN, CohortState.CLOSED, CohortState.RUNNING, CohortState.HANDOVER}
)


class EnrolmentState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    MEMBER = "member", _("Member")
    WAITLISTED = "waitlisted", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Not admitted")
    COMPLETED = "completed", _("Completed")


# Enrolments that hold a place or a claim on one.
ACTIVE_ENROLMENT_STATES = frozenset(
    {EnrolmentState.APPLIED, EnrolmentState.MEMBER, EnrolmentState.WAITLISTED}
)


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Being written")
    SUBMITTED = "submitted", _("Submitted for approval")
    CHANGES_REQUESTED = "changes", _("Changes asked")
    APPROVED = "approved", _("Approved")


# The team may edit the dossier in these states; once submitted it waits for a decision.
DOSSIER_EDITABLE_STATES = frozenset({DossierState.DRAFT, DossierState.CHANGES_REQUESTED})


class HoursState(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
