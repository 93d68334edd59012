"""The partner organisation's feedback on a group, once the group has finished its work.

One feedback per group and organisation, given by any member of the organisation; the
database's unique key keeps it to one even when two colleagues send theirs at once, and the
second one hears who was first.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from partners.models import Organisation
from projects.enums import CohortState
from projects.models import Cohort, PartnerFeedback

# A group has ended, for feedback, once it hands over.
ENDED_STATES = (CohortState.HANDOVER, CohortState.COMPLETED)


class FeedbackError(Exception):
    """A rule about partner feedback was broken; the message is fit to show."""


@dataclass(frozen=True)
class FeedbackText:
    rating: int
    went_well: str
    could_improve: str = ""


def feedback_problem(*, cohort: Cohort, organisation: Organisation, author: User) -> str | None:
    """Why this person cannot give feedback for this organisation on this group, or None."""
    names = {"name": organisation.name}
    if not cohort.project.organisations.filter(pk=organisation.pk).exists():
        return _("%(name)s is not a partner of this project.") % names
    if not organisation.memberships.filter(user=author).exists():
        return _("Only members of %(name)s can give its feedback.") % names
    if cohort.state not in ENDED_STATES:
        return _("You can give feedback once the group has finished its work.")
    return None


def feedback_give(
    *,
    cohort_id: int,
    organisation_id: int,
    author: User,
    text: FeedbackText,
    now: datetime | None = None,
) -> PartnerFeedback:
    """Give an organisation's feedback on a group that has ended; once per organisation.

    Side effects: none.
    """
    went_well = text.went_well.strip()
    if not isinstance(text.rating, int) or not (1 <= text.rating <= 5):
        raise FeedbackError(_("Choose a number from 1 to 5."))
    if not went_well:
        raise FeedbackError(_("Say what went well, in a sentence or two."))
    cohort = Cohort.objects.select_related("project").filter(pk=cohort_id).first()
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if cohort is None or organisation is None:
        raise FeedbackError(_("This group does not exist."))
    problem = feedback_problem(cohort=cohort, organisation=organisation, author=author)
    if problem:
        raise FeedbackError(problem)
    try:
        with transaction.atomic():
            return PartnerFeedback.objects.create(
                cohort=cohort,
                organisation=organisation,
                author=author,
                rating=text.rating,
                went_well=went_well,
                could_improve=text.could_improve.strip(),
                submitted_at=now or timezone.now(),
            )
    except IntegrityError:
        # feedback_once_per_organisation: someone of the organisation was first.
        raise FeedbackError(
            already_given_message(cohort_id=cohort.pk, organisation=organisation)
        ) from None


def already_given_message(*, cohort_id: int, organisation: Organisation) -> str:
    given = (
        PartnerFeedback.objects.select_related("author")
        .filter(cohort_id=cohort_id, organisation=organisation)
        .first()
    )
    values = {"name": organisation.name}
    if given is None or given.author is None:
        return _("%(name)s has already given feedback on this group.") % values
    values |= {
        "person": given.author.name,
        "date": formats.date_format(timezone.localtime(given.submitted_at), "j F Y"),
    }
    return _("%(name)s has already given feedback on this group: %(person)s did, on %(date)s.") % (
        values
    )
