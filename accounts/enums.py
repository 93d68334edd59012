from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who someone is on the platform. Coordinators are staff; nobody signs up as one."""

    STUDENT = "student", _("Student")
    PARTNER = "partner", _("Member of a partner organisation")
    RESEARCHER = "researcher", _("Researcher or lecturer")
    COORDINATOR = "coordinator", _("Coordinator")


SIGNUP_ROLES = (Role.STUDENT, Role.PARTNER, Role.RESEARCHER)


class InstitutionKind(models.TextChoices):
    MBO = "mbo", _("mbo (vocational college)")
    HBO = "hbo", _("hbo (university of applied sciences)")
    WO = "wo", _("university")


class Position(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    LECTURER = "lecturer", _("Lecturer")
    BOTH = "both", _("Researcher and lecturer")


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class Language(models.TextChoices):
    """Languages a student can work in (not the interface language)."""

    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")
