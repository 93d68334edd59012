"""Models of the coordination app."""

from coordination.audit.models import (  # noqa: F401 (Django finds models through this module)
    ChallengeAudit,
    CohortAudit,
    EnrolmentAudit,
    EventAudit,
    RegistrationAudit,
)
