"""The event tables the audit triggers write to; imported by coordination/models.py.

Only the fields a coordinator needs to answer "who changed what" are tracked. Free text a
person wrote (motivations, contact details, descriptions) is left out on purpose: the history
would otherwise keep personal data that the platform deletes elsewhere. Tracking a field
copies its definition here, so changing a tracked field needs a migration in
coordination/migrations as well.
"""

import pghistory
from django.db import models

from events.models import Event, Registration
from partners.models import Challenge
from projects.models import Cohort, Enrolment

TRACKED_FIELDS: dict[type[models.Model], list[str]] = {
    Challenge: [
        "organisation",
        "title",
        "state",
        "decision_reason",
        "desired_start",
        "desired_end",
        "desired_level",
        "hours_per_week",
        "resident_contacts_per_month",
        "is_public",
    ],
    Cohort: [
        "project",
        "number",
        "state",
        "starts_on",
        "ends_on",
        "registration_opens_at",
        "registration_closes_at",
        "min_size",
        "max_size",
        "admission_mode",
    ],
    Enrolment: ["cohort", "student", "state", "vog_confirmed", "decided_by"],
    Event: [
        "title",
        "state",
        "starts_at",
        "ends_at",
        "venue",
        "capacity",
        "registration_deadline",
        "rounds",
        "tables",
    ],
    Registration: ["event", "person", "role_at_event", "state", "checked_in_at"],
}


def _event_model(tracked: type[models.Model], name: str) -> type[models.Model]:
    return pghistory.create_event_model(
        tracked,
        # New trackers for each model: a tracker keeps the fields of the first model it saw.
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        fields=TRACKED_FIELDS[tracked],
        # `related_name="events"` (the default) would read as Meet & Match events.
        obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
        model_name=name,
        app_label="coordination",
        abstract=False,
    )


ChallengeAudit = _event_model(Challenge, "ChallengeAudit")
CohortAudit = _event_model(Cohort, "CohortAudit")
EnrolmentAudit = _event_model(Enrolment, "EnrolmentAudit")
EventAudit = _event_model(Event, "EventAudit")
RegistrationAudit = _event_model(Registration, "RegistrationAudit")
