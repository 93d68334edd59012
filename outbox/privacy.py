"""What the outbox holds about a person: the mail to them, the reminders logged for them and
the kinds of mail they switched off. Collected by accounts.privacy.registry."""

from django.db.models import QuerySet

from accounts.privacy.formats import acted, when
from accounts.privacy.registry import (
    Anonymise,
    Delete,
    ErasureContext,
    InSection,
    Keep,
    NotInDownload,
    PersonalData,
    Section,
    register,
)
from outbox.enums import MessageStatus

SENT_ONCE_LOG = (
    "the sent-once log: without it the same reminder would be queued again; it holds no text"
)


def _messages(messages: QuerySet) -> list[dict]:
    return [
        {
            "subject": message.subject,
            "kind": message.kind,
            "status": message.status,
            "created_at": when(message.created_at),
            "sent_at": when(message.sent_at),
        }
        for message in messages.order_by("created_at", "pk")
    ]


def _messages_anonymise(messages: QuerySet, context: ErasureContext) -> None:
    # Mail not yet sent would go to the placeholder address: it is ended instead.
    messages.filter(status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, last_error="recipient erased"
    )
    messages.update(to_email=context.erased_email, body_text="", body_html="", sealed_secrets="")


def _opt_outs(opt_outs: QuerySet) -> list[dict]:
    return [
        {"kind": opt_out.kind, "since": when(opt_out.created_at)}
        for opt_out in opt_outs.order_by("kind")
    ]


def _reminders(reminders: QuerySet) -> list[dict]:
    return [
        {"kind": reminder.kind, "about": reminder.subject, "sent_at": when(reminder.created_at)}
        for reminder in reminders.order_by("created_at", "pk")
    ]


MAIL_TO_THEM = Anonymise(
    _messages_anonymise, "address and text removed, the row kept as a count; queued mail failed"
)


def register_declarations() -> None:
    register(
        PersonalData(
            model="outbox.Message",
            person="recipient",
            # Mail to an address the person confirmed is theirs, whoever it was queued for;
            # an address only added, never confirmed, ties nothing.
            address="to_email",
            fields=("to_email", "body_text", "body_html", "sealed_secrets"),
            download=Section("messages", _messages),
            erase=MAIL_TO_THEM,
        ),
        PersonalData(
            model="outbox.Message",
            person="resend_of__recipient",
            fields=("to_email", "body_text", "body_html", "sealed_secrets"),
            download=NotInDownload("a copy of a message to the person, listed once as such"),
            erase=MAIL_TO_THEM,
        ),
        PersonalData(
            model="outbox.OptOut",
            person="user",
            fields=("kind",),
            download=Section("mail_opt_outs", _opt_outs),
            erase=Delete(),
        ),
        PersonalData(
            model="outbox.Reminder",
            person="recipient",
            fields=("recipient",),
            download=Section("reminders", _reminders),
            erase=Keep(SENT_ONCE_LOG),
        ),
        PersonalData(
            model="outbox.Reminder",
            person="message__recipient",
            fields=("message",),
            download=InSection("reminders"),
            erase=Keep(SENT_ONCE_LOG),
        ),
        PersonalData(
            model="outbox.ReminderPause",
            person="paused_by",
            own=False,
            fields=("paused_by",),
            download=acted("paused a kind of reminder", "paused_at"),
            erase=Keep("the platform's setting, which says who paused it"),
        ),
    )
