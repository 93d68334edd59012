"""The cohorts' history, where coordinators redact words that name someone when asked.
projects/admin.py imports this. Nobody edits history here; see lerenmetdestad/admin_redaction.
"""

from django.contrib import admin

from lerenmetdestad.admin_base import PlatformAdmin, ReadOnlyForCoordinators
from lerenmetdestad.admin_redaction import RedactText
from projects.models import CohortLogEntry
from projects.services.redaction import cohort_log_redact


@admin.register(CohortLogEntry)
class CohortLogEntryAdmin(RedactText, ReadOnlyForCoordinators, PlatformAdmin):
    list_display = ["created_at", "cohort", "actor", "action", "message"]
    list_filter = ["action"]
    list_select_related = ["cohort__project", "actor"]
    search_fields = ["message", "cohort__project__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "cohort",
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
    redaction_parent = "cohort"
    redaction_related = ("cohort__project",)

    def redaction_apply(self, *, ids, words, reason, actor) -> int:
        return cohort_log_redact(entry_ids=ids, words=words, reason=reason, actor=actor)
