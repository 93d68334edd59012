from django.db import models
from django.utils.translation import gettext_lazy as _


class EventState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Open for registration")
    REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
    SCHEDULED = "scheduled", _("Schedule published")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Audience(models.TextChoices):
    """Who may register for an event."""

    RESEARCHER = "researcher", _("Researchers and lecturers")
    PARTNER = "partner", _("Partner organisations")
    STUDENT = "student", _("Students")


class RoleAtEvent(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    LECTURER = "lecturer", _("Lecturer")
    PRACTITIONER = "practitioner", _("Practitioner (partner organisation)")
    STUDENT = "student", _("Student")


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


# Registrations that take part in the schedule and the check-in.
TAKING_PART = frozenset({RegistrationState.REGISTERED})
