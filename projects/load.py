"""What cohorts add to the load on the city, told to partners.load.

partners cannot import projects (projects depends on partners), so ProjectsConfig.ready()
registers these two sources with partners.load. A cohort weighs on its partners and its
neighbourhood from the moment registration opens until the handover is done
(HOSTING_STATES): planned, completed and cancelled cohorts ask nothing of anyone.
"""

import calendar
from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Sum

from projects.enums import HOSTING_STATES
from projects.models import Cohort


def cohort_team_load(organisation_ids: Iterable[int]) -> dict[int, int]:
    """{organisation id: its cohorts in HOSTING_STATES}, in one query.

    A project with two partner organisations counts once for each of them: both host the team.
    """
    rows = (
        Cohort.objects.filter(
            state__in=HOSTING_STATES, project__organisations__in=list(organisation_ids)
        )
        .values("project__organisations")
        .annotate(teams=Count("pk", distinct=True))
        .values_list("project__organisations", "teams")
    )
    return dict(rows)


def cohort_contact_load(neighbourhood_ids: Iterable[int], month: date) -> dict[int, int]:
    """{neighbourhood id: resident contact moments that month}, in one query.

    Each cohort in HOSTING_STATES whose dates touch the month brings its challenge's
    resident_contacts_per_month to its project's neighbourhood.
    """
    first = month.replace(day=1)
    rows = (
        Cohort.objects.filter(
            state__in=HOSTING_STATES,
            project__neighbourhood_id__in=list(neighbourhood_ids),
            starts_on__lte=first.replace(day=calendar.monthrange(first.year, first.month)[1]),
            ends_on__gte=first,
        )
        .values("project__neighbourhood_id")
        .annotate(contacts=Sum("project__challenge__resident_contacts_per_month"))
        .values_list("project__neighbourhood_id", "contacts")
    )
    return {hood: contacts or 0 for hood, contacts in rows}
