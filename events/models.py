import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.enums import Audience, EventState, RegistrationState, RoleAtEvent

OP_LOCATIE = "Op Locatie, Leiden-Noord"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_check_in_code() -> str:
    # Short enough to read out at the door; unique per event in the database.
    return secrets.token_hex(3).upper()


class Event(models.Model):
    """A Meet & Match: researchers, lecturers and practitioners meet in short rounds."""

    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    description = models.TextField(_("description"), blank=True)
    themes = models.ManyToManyField(
        "partners.Theme", blank=True, related_name="events", verbose_name=_("themes")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("place"), max_length=200, default=OP_LOCATIE, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), default=40)
    registration_deadline = models.DateTimeField(_("register before"))
    audience = ArrayField(
        models.CharField(max_length=12, choices=Audience.choices),
        default=list,
        verbose_name=_("who may register"),
    )
    rounds = models.PositiveSmallIntegerField(_("rounds"), default=4)
    minutes_per_round = models.PositiveSmallIntegerField(_("minutes per round"), default=15)
    tables = models.PositiveSmallIntegerField(_("tables"), default=10)
    seats_per_table = models.PositiveSmallIntegerField(
        _("seats per table"),
        default=2,
        help_text=_("Two for one-to-one meetings, more for small groups."),
    )
    first_round_at = models.DateTimeField(_("first round starts"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=EventState.choices,
        default=EventState.DRAFT,
        db_index=True,
    )
    # Raised on every change people's calendars should pick up (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    schedule_published_at = models.DateTimeField(_("schedule published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("Meet & Match")
        verbose_name_plural = _("Meet & Match events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=EventState.values), name="event_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(registration_deadline__lte=models.F("starts_at")),
                name="event_deadline_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(audience__contained_by=Audience.values) & ~models.Q(audience=[]),
                name="event_audience_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    capacity__gte=1, rounds__gte=1, minutes_per_round__gte=5, tables__gte=1
                )
                & models.Q(seats_per_table__gte=2),
                name="event_setup_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.slug])


class Registration(models.Model):
    """A person at an event: what they bring and seek, and whom they want to meet."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    role_at_event = models.CharField(_("you come as"), max_length=12, choices=RoleAtEvent.choices)
    brings = models.TextField(_("what I bring"), max_length=1000)
    seeks = models.TextField(_("what I am looking for"), max_length=1000)
    themes = models.ManyToManyField(
        "partners.Theme", blank=True, related_name="+", verbose_name=_("themes")
    )
    listed = models.BooleanField(
        _("others may see my name and choose me"),
        default=False,
        help_text=_("Whoever sits at your table sees your name and what you bring either way."),
    )
    wants_to_meet = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="wanted_by",
        verbose_name=_("people I want to meet"),
    )
    rather_not_meet = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="avoided_by",
        verbose_name=_("people I would rather not meet"),
    )
    state = models.CharField(_("state"), max_length=12, choices=RegistrationState.choices)
    queued_at = models.DateTimeField(_("joined the queue"), default=timezone.now)
    check_in_code = models.CharField(_("check-in code"), max_length=12, default=new_check_in_code)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    state_changed_at = models.DateTimeField(_("state changed"), default=timezone.now)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["queued_at", "pk"]
        indexes = [models.Index(fields=["event", "state", "queued_at"], name="registration_queue")]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="registration_once_per_event"),
            models.UniqueConstraint(
                fields=["event", "check_in_code"], name="registration_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=RegistrationState.values),
                name="registration_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(role_at_event__in=RoleAtEvent.values),
                name="registration_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.event}"


class Meeting(models.Model):
    """One table in one round of an event's schedule."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    round = models.PositiveSmallIntegerField(_("round"))
    table = models.PositiveSmallIntegerField(_("table"))
    # Why these people sit together, in words the participants read.
    reason = models.TextField(_("why you meet"), blank=True)
    score = models.FloatField(_("match score"), default=0)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["event", "round", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "round", "table"], name="meeting_one_per_table_and_round"
            ),
            models.CheckConstraint(
                condition=models.Q(round__gte=1, table__gte=1), name="meeting_numbers_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.round}/{self.table}"


class MeetingSeat(models.Model):
    """A registration at a meeting. The round is repeated here so the database can refuse
    double-booking: one seat per registration per round."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="seats")
    round = models.PositiveSmallIntegerField(_("round"))

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(fields=["registration", "round"], name="seat_one_per_round"),
            models.UniqueConstraint(
                fields=["meeting", "registration"], name="seat_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} · {self.meeting}"


class FollowUp(models.Model):
    """A meeting worth continuing: the appointment that came of it, and where it leads."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="follow_ups"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    with_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("with"),
    )
    planned_on = models.DateField(_("follow-up appointment on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    challenge = models.ForeignKey(
        "partners.Challenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "meeting"], name="follow_up_once_per_meeting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration} · {self.meeting}"


class CalendarFeed(models.Model):
    """A person's secret address for a calendar feed of all their events and meetings."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.person)


class EventLogEntry(models.Model):
    """The history of an event: state changes, schedule builds and publications."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=20, choices=EventState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=EventState.choices, blank=True)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("event log entry")
        verbose_name_plural = _("event history")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} · {self.event}"
