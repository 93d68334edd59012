"""What matching holds about a person: their outcome in each allocation, and the allocations
they ran. Collected by accounts.privacy.registry."""

from django.db.models import QuerySet

from accounts.privacy.formats import acted, when
from accounts.privacy.registry import Keep, PersonalData, Section, register

ALLOCATIONS_RECORD = "the allocation's record of who ran and published it"


def _placements(placements: QuerySet) -> list[dict]:
    return [
        {
            "allocation": when(placement.run.created_at),
            "project": placement.cohort.project.title if placement.cohort else None,
            "group": placement.cohort.number if placement.cohort else None,
            "choice": placement.rank,
            "why_no_place": placement.unplaced_reason,
        }
        for placement in placements.select_related("run", "cohort__project").order_by(
            "run__created_at", "pk"
        )
    ]


def register_declarations() -> None:
    register(
        PersonalData(
            model="matching.Placement",
            person="student",
            fields=("cohort", "rank", "unplaced_reason"),
            download=Section("allocation_placements", _placements),
            erase=Keep(
                "the published outcome of an allocation, which its groups were formed from; "
                "it names the anonymous account"
            ),
        ),
        PersonalData(
            model="matching.AllocationRun",
            person="created_by",
            own=False,
            fields=("created_by",),
            download=acted("ran an allocation", "created_at"),
            erase=Keep(ALLOCATIONS_RECORD),
        ),
        PersonalData(
            model="matching.AllocationRun",
            person="published_by",
            own=False,
            fields=("published_by",),
            download=acted("published an allocation", "published_at"),
            erase=Keep(ALLOCATIONS_RECORD),
        ),
    )
