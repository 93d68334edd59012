"""What projects holds about a person: places in groups with their motivation, hours and
reflection; choices; projects they lead; what they wrote for the handover and decided.
Collected by accounts.privacy.registry."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.privacy.erasure import register_guard
from accounts.privacy.formats import acted, number, when
from accounts.privacy.registry import (
    Blank,
    Delete,
    InSection,
    Keep,
    PersonalData,
    Section,
    register,
)
from projects.enums import ACTIVE_ENROLMENT_STATES, CohortState
from projects.models import Enrolment, HoursEntry

GROUPS_RECORD = (
    "the group's work, which the next group and the public knowledge build on; it names "
    "the anonymous account"
)
_ENDED_COHORT_STATES = (CohortState.COMPLETED, CohortState.CANCELLED)


def _place_under_way(user) -> str | None:
    busy = Enrolment.objects.filter(student=user, state__in=ACTIVE_ENROLMENT_STATES).exclude(
        cohort__state__in=_ENDED_COHORT_STATES
    )
    if busy.exists():
        return _(
            "You still have a place in a group or at a Meet & Match that has not ended. "
            "Withdraw or cancel it first, or ask us at privacy@lerenmetdestad.nl."
        )
    return None


def _enrolments(enrolments: QuerySet) -> list[dict]:
    rows = []
    for enrolment in (
        enrolments.select_related("cohort__project", "reflection")
        .prefetch_related(Prefetch("hours", HoursEntry.objects.order_by("worked_on", "pk")))
        .order_by("created_at", "pk")
    ):
        reflection = getattr(enrolment, "reflection", None)
        rows.append(
            {
                "project": enrolment.cohort.project.title,
                "group": enrolment.cohort.number,
                "starts_on": when(enrolment.cohort.starts_on),
                "ends_on": when(enrolment.cohort.ends_on),
                "state": enrolment.state,
                "motivation": enrolment.motivation,
                "vog_confirmed": enrolment.vog_confirmed,
                "enrolled_at": when(enrolment.created_at),
                "reflection": {
                    "learned": reflection.learned,
                    "contribution": reflection.contribution,
                    "next_time": reflection.next_time,
                    "written_at": when(reflection.submitted_at),
                }
                if reflection is not None
                else None,
                "hours": [
                    {
                        "date": when(entry.worked_on),
                        "hours": number(entry.hours),
                        "description": entry.description,
                        "state": entry.state,
                        "why_disputed": entry.dispute_note,
                    }
                    for entry in enrolment.hours.all()
                ],
            }
        )
    return rows


def _preferences(preferences: QuerySet) -> list[dict]:
    return [
        {
            "project": preference.cohort.project.title,
            "group": preference.cohort.number,
            "rank": preference.rank,
            "given_at": when(preference.created_at),
        }
        for preference in preferences.select_related("cohort__project").order_by("rank", "pk")
    ]


def _applicant_ranks(ranks: QuerySet) -> list[dict]:
    return [
        {"project": rank.project.title, "rank": rank.rank, "ranked_at": when(rank.ranked_at)}
        for rank in ranks.select_related("project").order_by("ranked_at", "pk")
    ]


def _projects_led(links: QuerySet) -> list[str]:
    return sorted(links.values_list("project__title", flat=True))


def _versions(versions: QuerySet) -> list[dict]:
    return [
        {
            "project": version.dossier.cohort.project.title,
            "group": version.dossier.cohort.number,
            "version": version.number,
            "saved_at": when(version.saved_at),
            "content": version.content,
        }
        for version in versions.select_related("dossier__cohort__project").order_by(
            "saved_at", "pk"
        )
    ]


def _products(products: QuerySet) -> list[dict]:
    return [
        {
            "project": product.dossier.cohort.project.title,
            "group": product.dossier.cohort.number,
            "title": product.title,
            "link": product.url,
            # The file itself is in the download's ZIP, under bestanden/ by this name.
            "file": product.file.name,
            "public": product.public,
            "added_at": when(product.added_at),
        }
        for product in products.select_related("dossier__cohort__project").order_by(
            "added_at", "pk"
        )
    ]


def _hours_decided(entries: QuerySet) -> list[dict]:
    # Which hours, not whose: the student's name is theirs.
    return [
        {
            "project": entry.enrolment.cohort.project.title,
            "group": entry.enrolment.cohort.number,
            "date": when(entry.worked_on),
            "hours": number(entry.hours),
            "decision": entry.state,
            "why_disputed": entry.dispute_note,
            "decided_at": when(entry.decided_at),
        }
        for entry in entries.select_related("enrolment__cohort__project").order_by(
            "decided_at", "pk"
        )
    ]


def _feedback(feedback: QuerySet) -> list[dict]:
    return [
        {
            "project": given.cohort.project.title,
            "group": given.cohort.number,
            "organisation": given.organisation.name,
            "rating": given.rating,
            "went_well": given.went_well,
            "could_improve": given.could_improve,
            "given_at": when(given.submitted_at),
        }
        for given in feedback.select_related("cohort__project", "organisation").order_by(
            "submitted_at", "pk"
        )
    ]


def _group(row) -> str:
    return str(row.cohort)


def register_declarations() -> None:
    register_guard(_place_under_way)
    register(
        PersonalData(
            model="projects.Project_lecturers",
            person="user",
            fields=("user",),
            download=Section("projects_led", _projects_led),
            erase=Delete(),
        ),
        PersonalData(
            model="projects.Enrolment",
            person="student",
            fields=("motivation",),
            download=Section("enrolments", _enrolments),
            # The place stays, so the group's size and the hours worked still count.
            erase=Blank({"motivation": ""}),
        ),
        PersonalData(
            model="projects.Enrolment",
            person="vog_checked_by",
            own=False,
            fields=("vog_checked_by",),
            download=acted("checked a certificate of conduct", "vog_checked_at"),
            erase=Keep("the group's record of who checked the certificate"),
        ),
        PersonalData(
            model="projects.Enrolment",
            person="decided_by",
            own=False,
            fields=("decided_by",),
            download=acted("decided an application", "state_changed_at"),
            erase=Keep("the group's record of who admitted whom"),
        ),
        PersonalData(
            model="projects.Reflection",
            person="enrolment__student",
            fields=("learned", "contribution", "next_time"),
            download=InSection("enrolments"),
            erase=Blank({"learned": "", "contribution": "", "next_time": ""}),
        ),
        PersonalData(
            model="projects.HoursEntry",
            person="enrolment__student",
            fields=("description",),
            download=InSection("enrolments"),
            # The hours stay for the group's and the city's figures; what was done goes.
            erase=Blank({"description": ""}),
        ),
        PersonalData(
            model="projects.HoursEntry",
            person="decided_by",
            own=False,
            fields=("decided_by",),
            download=Section("hours_decided", _hours_decided),
            erase=Keep("the student's hours record, which says who confirmed it"),
        ),
        PersonalData(
            model="projects.CohortPreference",
            person="student",
            fields=("rank",),
            download=Section("preferences", _preferences),
            erase=Delete(),
        ),
        PersonalData(
            model="projects.ApplicantRank",
            person="student",
            fields=("rank",),
            download=Section("applicant_rankings", _applicant_ranks),
            erase=Keep(
                "the project's ranking of its applicants: removing one would move the others"
            ),
        ),
        PersonalData(
            model="projects.ApplicantRank",
            person="ranked_by",
            own=False,
            fields=("ranked_by",),
            download=acted("ranked an applicant", "ranked_at"),
            erase=Keep("the project's ranking, which says who made it"),
        ),
        PersonalData(
            model="projects.CohortLogEntry",
            person="actor",
            own=False,
            fields=("actor",),
            download=acted("changed a group", "created_at", _group, via=("cohort__project",)),
            erase=Keep("the group's history of who did what; it names the anonymous account"),
        ),
        PersonalData(
            model="projects.HandoverDossier",
            person="updated_by",
            own=False,
            fields=("updated_by",),
            download=acted("saved a handover", "updated_at", _group, via=("cohort__project",)),
            erase=Keep(GROUPS_RECORD),
        ),
        PersonalData(
            model="projects.HandoverDossier",
            person="decided_by",
            own=False,
            fields=("decided_by", "decision_note"),
            download=acted("decided on a handover", "decided_at", _group, via=("cohort__project",)),
            erase=Keep(GROUPS_RECORD),
        ),
        PersonalData(
            model="projects.HandoverDossierVersion",
            person="saved_by",
            own=False,
            fields=("saved_by",),
            download=Section("handover_versions_saved", _versions),
            erase=Keep(GROUPS_RECORD),
        ),
        PersonalData(
            model="projects.HandoverProduct",
            person="added_by",
            own=False,
            fields=("added_by", "file"),
            download=Section("handover_products", _products),
            erase=Keep(GROUPS_RECORD),
        ),
        PersonalData(
            model="projects.PartnerFeedback",
            person="author",
            own=False,
            fields=("author",),
            download=Section("feedback_given", _feedback),
            erase=Keep("the organisation's word on the group, given in its name"),
        ),
    )
