from partners.models.challenges import (
    Challenge,
    ChallengeAttachment,
    ChallengeLogEntry,
    ChallengeMessage,
)
from partners.models.op_locatie import OpLocatieOpening
from partners.models.organisations import Invitation, JoinRequest, Membership, Organisation
from partners.models.places import Neighbourhood, Theme

__all__ = [
    "Challenge",
    "ChallengeAttachment",
    "ChallengeLogEntry",
    "ChallengeMessage",
    "Invitation",
    "JoinRequest",
    "Membership",
    "Neighbourhood",
    "OpLocatieOpening",
    "Organisation",
    "Theme",
]
