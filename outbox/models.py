import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lerenmetdestad.sealing import SealedField
from outbox.enums import OPTIONAL_KINDS, MessageKind, MessageStatus, ReminderKind


class Message(models.Model):
    """One email to one recipient. The row is the message: it is sent from here, never built twice.

    Every write goes through outbox.services; the admin only reads.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("recipient"),
    )
    to_email = models.EmailField(_("to"), max_length=254)
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    # The language the message was rendered in, which is the recipient's at queue time.
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("plain text"))
    body_html = models.TextField(_("HTML"), blank=True)
    # The secrets the bodies hold as placeholders (links with a token), sealed: only the
    # sending worker opens them (outbox/sealed.py). Never shown, not even to superusers.
    sealed_secrets = SealedField(_("sealed secrets"), blank=True, default="", editable=False)
    # Stable across retries, so a message delivered twice is recognisable as one.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    # When a queued row is due to be sent: at once when queued, and after the back-off of a
    # failed attempt. Batches and the sweep take only rows that are due.
    next_attempt_at = models.DateTimeField(_("next attempt due"), default=timezone.now)
    sending_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # What the message is about and for whom, e.g. "challenge-log:12:7", for messages that
    # must exist at most once whatever the callers do (one mail per recipient per event).
    dedupe_key = models.CharField(
        _("sent-once key"), max_length=200, null=True, blank=True, unique=True, editable=False
    )
    # A resend is a new message with its own Message-ID; this points at the one it copies.
    resend_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resend of"),
    )

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        permissions = [("resend_message", _("Can resend emails"))]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            # What the sweep looks for; both states are a tiny part of the table.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status=MessageStatus.QUEUED),
                name="outbox_queued_due",
            ),
            models.Index(
                fields=["sending_started_at"],
                condition=models.Q(status=MessageStatus.SENDING),
                name="outbox_sending_started",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=MessageKind.values), name="outbox_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _name in settings.LANGUAGES]),
                name="outbox_language_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MessageStatus.SENT) | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MessageStatus.SENDING)
                | models.Q(sending_started_at__isnull=False),
                name="outbox_sending_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"

    @staticmethod
    def new_message_id() -> str:
        return f"<{uuid.uuid4()}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class OptOut(models.Model):
    """A person does not want emails of one optional kind. No row means they get them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mail_opt_outs",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=40, choices=MessageKind.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="outbox_optout_user_kind"),
            # Required kinds (account mail) cannot be switched off, not even by a stray insert.
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in OPTIONAL_KINDS]),
                name="outbox_optout_kind_optional",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ✕ {self.get_kind_display()}"


class Reminder(models.Model):
    """The sent-log: one row per reminder kind, object and recipient, ever.

    The unique key is what makes a scan safe to run twice, or in two beat processes at once:
    the second insert fails and nothing is queued. `subject` names the object in a form that
    needs no import of its app, e.g. "cohort:12" or "week:2026-W48".
    """

    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    subject = models.CharField(_("about"), max_length=60)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("recipient"),
    )
    # None when the recipient had switched this kind of mail off: the reminder still counts
    # as done, so it is not tried again at every scan.
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("email"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders sent")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "recipient"], name="reminder_once_per_recipient"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject}"


class ReminderPause(models.Model):
    """A coordinator has paused one kind of reminder: scans skip it until the row is gone."""

    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices, unique=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paused by"),
    )
    paused_at = models.DateTimeField(_("paused since"), default=timezone.now)

    class Meta:
        verbose_name = _("paused reminder")
        verbose_name_plural = _("paused reminders")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values), name="reminder_pause_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
