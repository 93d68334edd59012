class ChallengeError(Exception):
    """A rule about challenges was broken; the message is fit to show the user."""


class BudgetExceededError(ChallengeError):
    """Accepting would go over a partner's or neighbourhood's budget; needs an override."""

    def __init__(self, message: str, *, over: list[str]):
        super().__init__(message)
        self.over = over


class OrganisationError(Exception):
    """A rule about organisations or membership was broken; the message is fit to show."""
