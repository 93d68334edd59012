"""What the audit history holds about a person: the recorded states of their places and
registrations, and who made each change. Collected by accounts.privacy.registry.

The history keeps no free text (audit/models.py); its rows point at the account, which
erasure turns anonymous, so they stay.
"""

from django.db.models import QuerySet

from accounts.privacy.formats import when
from accounts.privacy.registry import (
    InSection,
    Keep,
    NotInDownload,
    Person,
    PersonalData,
    Section,
    register,
)

AUDIT = "the coordinators' history of who changed what; it holds no free text"


def _enrolment_history(events: QuerySet) -> list[dict]:
    return [
        {
            "when": when(event.pgh_created_at),
            "change": event.pgh_label,
            "project": event.cohort.project.title,
            "group": event.cohort.number,
            "state": event.state,
        }
        for event in events.select_related("cohort__project").order_by("pgh_created_at", "pk")
    ]


def _registration_history(events: QuerySet) -> list[dict]:
    return [
        {
            "when": when(event.pgh_created_at),
            "change": event.pgh_label,
            "event": event.event.title,
            "state": event.state,
        }
        for event in events.select_related("event").order_by("pgh_created_at", "pk")
    ]


def _contexts_of(contexts: QuerySet, person: Person) -> QuerySet:
    # pghistory's middleware records the signed-in user's id in each change's context.
    return contexts.filter(metadata__user=person.user_id)


def register_declarations() -> None:
    register(
        PersonalData(
            model="coordination.EnrolmentAudit",
            person="student",
            own=False,
            fields=("student", "state"),
            download=Section("history_of_places", _enrolment_history),
            erase=Keep(AUDIT),
        ),
        PersonalData(
            model="coordination.EnrolmentAudit",
            person="pgh_obj__student",
            own=False,
            fields=("pgh_obj",),
            download=InSection("history_of_places"),
            erase=Keep(AUDIT),
        ),
        PersonalData(
            model="coordination.EnrolmentAudit",
            person="decided_by",
            own=False,
            fields=("decided_by",),
            download=NotInDownload("the same decisions are listed under actions_recorded"),
            erase=Keep(AUDIT),
        ),
        PersonalData(
            model="coordination.RegistrationAudit",
            person="person",
            own=False,
            fields=("person", "state"),
            download=Section("history_of_registrations", _registration_history),
            erase=Keep(AUDIT),
        ),
        PersonalData(
            model="coordination.RegistrationAudit",
            person="pgh_obj__person",
            own=False,
            fields=("pgh_obj",),
            download=InSection("history_of_registrations"),
            erase=Keep(AUDIT),
        ),
        PersonalData(
            model="pghistory.Context",
            person=None,
            tie=_contexts_of,
            own=False,
            fields=("metadata",),
            download=NotInDownload("who made a change: the changes are listed in the history"),
            erase=Keep(AUDIT),
        ),
        PersonalData(
            model="pghistory.MiddlewareEvents",
            person="user",
            own=False,
            fields=("user", "url"),
            download=NotInDownload("a read-only view over the history and its contexts"),
            erase=Keep("a view, not a table: the rows it reads are declared above"),
        ),
    )
