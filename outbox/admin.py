from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.rules import is_coordinator
from lerenmetdestad.admin_base import CoordinatorsOnly, PlatformAdmin, ReadOnlyForCoordinators
from outbox.models import Message, OptOut, Reminder, ReminderPause
from outbox.sealed import placeholders_hide
from outbox.services import (
    OutboxError,
    message_resend,
    reminder_pause_create,
    reminder_pause_delete,
)


def resend_messages(modeladmin: admin.ModelAdmin, request, to_resend: list[Message]) -> None:
    """Queue a copy of each sent or failed message and tell the coordinator what happened.

    Sent and failed emails get a copy with a new Message-ID (message_resend explains why);
    queued and sending ones are still on their way and are left alone.
    """
    resent = skipped = 0
    with transaction.atomic():
        for message in to_resend:
            try:
                copy = message_resend(message=message)
            except OutboxError:
                copy = None
            if copy is None:
                skipped += 1
            else:
                resent += 1
    if resent:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d email queued again as a new email.",
                "%(count)d emails queued again as new emails.",
                resent,
            )
            % {"count": resent},
            messages.SUCCESS,
        )
    if skipped:
        modeladmin.message_user(
            request,
            ngettext(
                "%(count)d email skipped: it is still on its way, the recipient switched "
                "this kind off, or has no account any more.",
                "%(count)d emails skipped: they are still on their way, the recipient "
                "switched this kind off, or has no account any more.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


@admin.register(Message)
class MessageAdmin(PlatformAdmin):
    """The log of every email: read-only, because nobody edits a mail that was sent."""

    list_display = [
        "created_at",
        "to_email",
        "subject",
        "kind",
        "language",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to_email", "subject"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = [
        "to_email",
        "recipient",
        "kind",
        "language",
        "subject",
        "message_id",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "sending_started_at",
        "sent_at",
        "resend_of",
        # Never the stored bodies or sealed_secrets themselves: these show a marker where a
        # secret (a reset link, a token) goes.
        "body_text_shown",
        "body_html_shown",
    ]
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description=_("plain text"))
    def body_text_shown(self, message: Message) -> str:
        return placeholders_hide(message.body_text)

    @admin.display(description=_("HTML"))
    def body_html_shown(self, message: Message) -> str:
        return placeholders_hide(message.body_html)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The outbox is the record of what was sent; removing rows would rewrite it.
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("outbox.resend_message")

    @admin.action(description=_("Send again as a new email"), permissions=["resend"])
    def resend(self, request, queryset) -> None:
        resend_messages(self, request, list(queryset.select_related("recipient")))


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyForCoordinators, PlatformAdmin):
    """Every reminder sent: what, about which object, to whom, when, and its email.

    Read-only and for coordinators only. Deleting a row would not unsend anything, but the
    next scan would send that reminder again, so nobody deletes here either.
    """

    list_display = ["created_at", "kind", "subject", "recipient", "email"]
    list_filter = ["kind"]
    search_fields = ["subject", "recipient__email", "recipient__name"]
    list_select_related = ["recipient", "message"]
    date_hierarchy = "created_at"
    list_per_page = 50
    fields = ["kind", "subject", "recipient", "created_at", "email"]
    readonly_fields = fields
    actions = ["resend"]

    def has_resend_permission(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm("outbox.resend_message")

    @admin.display(description=_("email"))
    def email(self, reminder: Reminder) -> str:
        if reminder.message is None:
            return _("none: the recipient had switched reminders off")
        url = reverse("admin:outbox_message_change", args=[reminder.message_id])
        return format_html('<a href="{}">{}</a>', url, reminder.message.get_status_display())

    @admin.action(description=_("Send the email again as a new email"), permissions=["resend"])
    def resend(self, request, queryset) -> None:
        reminders = queryset.select_related("message__recipient")
        resend_messages(self, request, [r.message for r in reminders if r.message is not None])


@admin.register(ReminderPause)
class ReminderPauseAdmin(CoordinatorsOnly, PlatformAdmin):
    """The kinds of reminder that are paused: scans skip them until the pause is deleted.

    Coordinators add a pause (choosing the kind) and delete it to resume; there is nothing
    to change in between. What fell due during the pause goes out at the first scan after
    it, if it is still due then.
    """

    list_display = ["kind", "paused_by", "paused_at"]
    list_select_related = ["paused_by"]

    def get_fields(self, request, obj=None) -> list[str]:
        return ["kind"] if obj is None else ["kind", "paused_by", "paused_at"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [] if obj is None else ["kind", "paused_by", "paused_at"]

    def has_view_permission(self, request, obj=None) -> bool:
        return is_coordinator(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        pause = reminder_pause_create(kind=obj.kind, user=request.user)
        # The admin goes on with `obj` (its log entry, the redirect): make it the saved row.
        obj.pk, obj.paused_by, obj.paused_at = pause.pk, pause.paused_by, pause.paused_at

    def delete_model(self, request, obj) -> None:
        reminder_pause_delete(kind=obj.kind)

    def delete_queryset(self, request, queryset) -> None:
        for pause in queryset:
            reminder_pause_delete(kind=pause.kind)

    def response_delete(self, request, obj_display, obj_id):
        response = super().response_delete(request, obj_display, obj_id)
        # Django goes back to the list only for people who may change rows; nobody changes
        # a pause, but coordinators read the list, so that is where they return to.
        if response.status_code == 302 and self.has_view_permission(request):
            response["Location"] = reverse(
                "admin:outbox_reminderpause_changelist", current_app=self.admin_site.name
            )
        return response


@admin.register(OptOut)
class OptOutAdmin(PlatformAdmin):
    """Who switched off which kind of email. Read-only: that choice belongs to the recipient,
    who makes it with the link in a mail or on /berichten/instellingen/."""

    list_display = ["user", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = ["user", "kind", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
