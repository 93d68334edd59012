from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox.models import Message, OptOut
from outbox.services import OutboxError, message_resend


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
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
        "body_text",
        "body_html",
    ]
    readonly_fields = fields
    actions = ["resend"]

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
        # Sent and failed emails get a copy with a new Message-ID (message_resend explains
        # why); queued and sending ones are still on their way and are left alone.
        resent = skipped = 0
        with transaction.atomic():
            for message in queryset.select_related("recipient"):
                try:
                    copy = message_resend(message=message)
                except OutboxError:
                    copy = None
                if copy is None:
                    skipped += 1
                else:
                    resent += 1
        if resent:
            self.message_user(
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
            self.message_user(
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


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
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
