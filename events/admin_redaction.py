"""The history of Meet & Match events, where coordinators redact words that name someone.
events/admin.py imports this. Nobody edits history here; see lerenmetdestad/admin_redaction.
"""

from django.contrib import admin

from events.models import EventLogEntry
from events.services.redaction import event_log_redact
from lerenmetdestad.admin_base import PlatformAdmin, ReadOnlyForCoordinators
from lerenmetdestad.admin_redaction import RedactText


@admin.register(EventLogEntry)
class EventLogEntryAdmin(RedactText, ReadOnlyForCoordinators, PlatformAdmin):
    list_display = ["created_at", "event", "actor", "action", "message"]
    list_filter = ["action"]
    list_select_related = ["event", "actor"]
    search_fields = ["message", "event__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "event",
        "actor",
        "action",
        "from_state",
        "to_state",
        "message",
        "data",
        "created_at",
    ]
    actions = ["redact_text"]
    redaction_field = "message"
    redaction_parent = "event"

    def redaction_apply(self, *, ids, words, reason, actor) -> int:
        return event_log_redact(entry_ids=ids, words=words, reason=reason, actor=actor)
