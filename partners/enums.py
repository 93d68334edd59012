from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    WELFARE = "welfare", _("Welfare organisation")
    LIBRARY = "library", _("Library")
    SCHOOL = "school", _("School")
    MUNICIPALITY = "municipality", _("Municipality department")
    HOUSING = "housing", _("Housing corporation")
    RESIDENTS = "residents", _("Residents' initiative")
    HEALTHCARE = "healthcare", _("Care organisation")
    OTHER = "other", _("Other social organisation")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class CslLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    INTENSIVE = "intensive", _("Intensive")


class ResidentInvolvement(models.TextChoices):
    NONE = "none", _("Residents are not asked to take part")
    LOW = "low", _("A few conversations with residents")
    MEDIUM = "medium", _("Regular contact with residents")
    HIGH = "high", _("Residents take part throughout")


class ChallengeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("More information needed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


# States in which the partner may still change the challenge's text.
EDITABLE_STATES = frozenset({ChallengeState.DRAFT, ChallengeState.NEEDS_INFO})
# States waiting for a coordinator.
REVIEW_QUEUE_STATES = frozenset({ChallengeState.SUBMITTED, ChallengeState.IN_REVIEW})
# States in which a challenge may be shown publicly (if the partner allowed it).
PUBLIC_STATES = frozenset(
    {ChallengeState.ACCEPTED, ChallengeState.IN_PROGRESS, ChallengeState.CLOSED}
)


class ChallengeAction(models.TextChoices):
    """What a log entry records. Transitions are named by their verb."""

    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted")
    RESUBMIT = "resubmit", _("Resubmitted")
    TAKE_IN_REVIEW = "take_in_review", _("Taken in review")
    ACCEPT = "accept", _("Accepted")
    DECLINE = "decline", _("Declined")
    ASK_INFO = "ask_info", _("Asked for more information")
    START = "start", _("Started")
    CLOSE = "close", _("Closed")
    BUDGET_OVERRIDE = "budget_override", _("Accepted beyond a budget")
    REDACT = "redact", _("Text redacted by a coordinator")
