"""Project.next_open_start: the start of a project's soonest group in state open.

The discovery list sorts by it. Stored, with an index in that order, so the default list is
an index scan that stops after one page instead of a subquery for every project.

"Open" means the state open and nothing else: the registration window is not looked at.
A group stays open until a coordinator closes it (cohort_transition), so for a moment after
its window has closed it can still be a project's next open group; the card then says that
registration has closed. Taking the clock into account would make the column go stale by
itself, with no write to notice.

A CheckConstraint cannot compare a row with other tables' rows, so nothing in the database
keeps the column right. Every service that creates a cohort, changes its state or its dates
calls project_next_open_refresh inside its own transaction, after locking the project row
(the cohort services lock the cohort together with its project): two changes to groups of
one project then write in turn, and the second one reads the groups the first committed.
tests/projects/test_next_open_start.py compares the column with a fresh computation after
each of those services.
"""

from django.db.models import Min, OuterRef, Subquery

from projects.enums import CohortState
from projects.models import Cohort, Project


def soonest_open_start() -> Subquery:
    """The start of the soonest open group of the project in the outer query (or NULL)."""
    return Subquery(
        Cohort.objects.filter(project=OuterRef("pk"), state=CohortState.OPEN)
        .order_by()
        .values("project")
        .annotate(start=Min("starts_on"))
        .values("start")
    )


def project_next_open_refresh(*, project_id: int) -> None:
    """Recompute one project's next_open_start (one UPDATE). Call it inside the transaction
    that changed the project's groups, with the project row locked."""
    Project.objects.filter(pk=project_id).update(next_open_start=soonest_open_start())


def projects_next_open_refresh_all() -> int:
    """Recompute next_open_start for every project; for cohorts written in bulk, outside
    the services (the benchmark's seed, test factories). Returns the number of projects."""
    return Project.objects.update(next_open_start=soonest_open_start())
