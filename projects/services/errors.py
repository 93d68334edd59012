class EnrolmentError(Exception):
    """A rule about joining or leaving a cohort was broken; the message is fit to show."""


class CohortError(Exception):
    """A cohort cannot change state as asked; the message is fit to show."""


class CohortBudgetError(CohortError):
    """Opening would go over a partner's hosting budget; needs an override with a reason."""

    def __init__(self, message: str, *, over: list[str]):
        super().__init__(message)
        self.over = over
