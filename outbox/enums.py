from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    """Where a message is on its way out: queued → sending → sent, or failed for good."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# A message in one of these states is finished: the outbox never sends it again. A person who
# wants it sent anyway resends it, which makes a new message (see message_resend).
FINAL_STATES = frozenset({MessageStatus.SENT, MessageStatus.FAILED})


class MessageKind(models.TextChoices):
    """What a message is about. Optional kinds can be switched off by the recipient."""

    ACCOUNT = "account", _("Your account (sign-up, password, email address)")
    CHALLENGE_UPDATES = "challenge_updates", _("Updates on challenges of your organisation")
    PROJECT_UPDATES = "project_updates", _("Updates on projects you take part in")
    EVENT_UPDATES = "event_updates", _("Meet & Match registrations and schedules")
    REMINDERS = "reminders", _("Reminders before deadlines, starts and events")
    NEW_PROJECTS_DIGEST = "new_projects_digest", _("Weekly: new projects on your themes")
    COORDINATOR_DIGEST = "coordinator_digest", _("Weekly: challenges waiting for review")


# People cannot switch these off: they are needed to use the account or were asked for.
REQUIRED_KINDS = frozenset({MessageKind.ACCOUNT})
OPTIONAL_KINDS = tuple(kind for kind in MessageKind if kind not in REQUIRED_KINDS)


class ReminderKind(models.TextChoices):
    """Reminders the platform sends by itself, from periodic scans of what is due.

    Each is sent at most once per object and recipient (the sent-log, outbox.Reminder).
    """

    EVENT_SOON = "event_soon", _("Meet & Match: the day before")
    EVENT_DEADLINE = "event_deadline", _("Meet & Match: registration closes soon")
    REGISTRATION_CLOSING = "registration_closing", _("Group: registration closes soon")
    COHORT_STARTING = "cohort_starting", _("Group: starts soon")
    HANDOVER_DUE = "handover_due", _("Group: write the handover")
    REFLECTION_REQUEST = "reflection_request", _("After a group: reflection for students")
    FEEDBACK_REQUEST = "feedback_request", _("After a group: feedback from the partner")
    REVIEW_DIGEST = "review_digest", _("Weekly: challenges waiting for review")
    NEW_PROJECTS_DIGEST = "new_projects_digest", _("Weekly: new projects on your themes")
    IMPACT_CHECK_6 = "impact_check_6", _("6 months after: what came of it?")
    IMPACT_CHECK_12 = "impact_check_12", _("12 months after: what came of it?")
