"""Recommendations with reasons: projects for a student, researchers for a challenge, and
challenges for a researcher.

Each function reads the models in a fixed number of queries, whatever the number of
projects, cohorts, researchers or challenges (theme names come as array subqueries, not one
query per row), builds the plain inputs of matching.core.scores, and returns the best
matches with their reasons in the reader's language (matching.explain). Nothing is written.

Which cohorts a student is recommended (`recommended_projects`):
- open for registration now (state open, inside the registration window), in any admission
  mode (joining, applying or ranking all start on the project page);
- with a free place. A full cohort is left out even when it keeps a waiting list: the list
  moves only when a member leaves, so a recommendation should lead to a place, not to a
  queue. Students who want a waiting list still find those groups on the discovery page;
- of a project open to the student's type of education, not clashing with an intensive
  project in which they hold a place (matching.core.scores.may_join mirrors the rules of
  projects.services.enrolment.eligibility_problem);
- of a project the student is not already in, done, or ranked: any registration for the
  cohort itself, an active or completed one for another group of the project, or a ranking
  of one of its groups leaves the project out.
A project is recommended once, with its soonest such cohort.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Position, Role
from accounts.models import ResearcherProfile, StudentProfile, User
from matching.core.scores import Fit, Offer, Period, Person, fit, may_join, rank
from matching.explain import Audience, explain, vog_note
from partners.enums import ChallengeState, CslLevel
from partners.models import Challenge, Theme
from partners.selectors import public_challenges
from projects.enums import ACTIVE_ENROLMENT_STATES, CohortState, EnrolmentState, ProjectLanguage
from projects.models import CohortPreference, Enrolment
from projects.selectors import joinable_cohorts_with_room
from projects.services.enrolment import PLACE_STATES

MAX_PROJECTS = 5
MAX_RESEARCHERS = 10
MAX_CHALLENGES = 5

# Challenges a researcher can still help with: accepted and not closed.
OPEN_CHALLENGE_STATES = (ChallengeState.ACCEPTED, ChallengeState.IN_PROGRESS)
# Registrations that mean the student is in, or has done, a project.
TAKING_PART_STATES = (*ACTIVE_ENROLMENT_STATES, EnrolmentState.COMPLETED)
# Registrations that mean the student has worked in the project's neighbourhood.
WORKED_STATES = (EnrolmentState.MEMBER, EnrolmentState.COMPLETED)
PROJECT_LANGUAGES = {
    ProjectLanguage.DUTCH: frozenset({"nl"}),
    ProjectLanguage.ENGLISH: frozenset({"en"}),
    ProjectLanguage.BOTH: frozenset({"nl", "en"}),
}


def _names(themes: QuerySet[Theme]) -> ArraySubquery:
    """The names of these themes as one array column, sorted."""
    return ArraySubquery(themes.order_by("name").values("name"))


# Profiles hide their reverse relation to Theme (related_name="+"), so these subqueries read
# the through tables: the theme names of the profile in the outer query, sorted.
def _student_theme_names() -> ArraySubquery:
    return ArraySubquery(
        StudentProfile.themes.through.objects.filter(studentprofile_id=OuterRef("pk"))
        .order_by("theme__name")
        .values("theme__name")
    )


def _researcher_theme_names() -> ArraySubquery:
    return ArraySubquery(
        ResearcherProfile.themes.through.objects.filter(researcherprofile_id=OuterRef("pk"))
        .order_by("theme__name")
        .values("theme__name")
    )


@dataclass(frozen=True)
class ProjectRecommendation:
    """One project a student could join now, with why it fits."""

    title: str
    url: str
    summary: str
    starts_on: date
    places_left: int
    admission_mode: str
    fit: Fit
    reasons: str
    note: str


@dataclass(frozen=True)
class StudentRecommendations:
    # No themes, or no school or university yet: ask the student to fill in their profile.
    needs_profile: bool
    projects: tuple[ProjectRecommendation, ...] = ()


def recommended_projects(
    *, student: User, now: datetime, limit: int = MAX_PROJECTS
) -> StudentRecommendations | None:
    """The projects that fit the student best, best first; None without a student profile.

    Three queries: the profile with its themes, the student's registrations, the candidate
    cohorts with their projects and themes.
    """
    profile = (
        StudentProfile.objects.filter(user_id=student.pk)
        .annotate(theme_names=_student_theme_names())
        .values("programme", "level", "institution__kind", "weekdays", "languages", "theme_names")
        .first()
    )
    if profile is None:
        return None
    kind = profile["institution__kind"] or profile["level"]
    if not profile["theme_names"] or not kind:
        return StudentRecommendations(needs_profile=True)

    places, known = _places_and_neighbourhoods(student=student, today=timezone.localdate(now))
    person = Person(
        themes=frozenset(profile["theme_names"]),
        text=profile["programme"],
        weekdays=frozenset(profile["weekdays"]),
        languages=frozenset(profile["languages"]),
        neighbourhoods=known,
    )

    rows: dict[int, dict] = {}
    for row in _candidate_cohorts(student=student, kind=kind, now=now):
        period = Period(
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            intensive=row["project__csl_level"] == CslLevel.INTENSIVE,
        )
        if row["project_id"] in rows or not may_join(
            institution_kind=kind,
            allowed_kinds=row["project__institution_kinds"],
            cohort=period,
            places=places,
        ):
            continue
        rows[row["project_id"]] = row
    offers = [
        Offer(
            id=project_id,
            themes=frozenset(row["theme_names"]),
            text=f"{row['project__title']} {row['project__summary']}",
            weekdays=frozenset(row["project__weekdays"]),
            languages=PROJECT_LANGUAGES.get(row["project__language"]),
            neighbourhoods=frozenset(filter(None, [row["project__neighbourhood__name"]])),
            needs_vog=row["project__works_with_vulnerable_residents"],
        )
        for project_id, row in rows.items()
    ]
    ranked = rank(((offer.id, fit(person, offer)) for offer in offers), limit=limit)
    return StudentRecommendations(
        needs_profile=False,
        projects=tuple(
            _project_recommendation(rows[project_id], one) for project_id, one in ranked
        ),
    )


def _places_and_neighbourhoods(
    *, student: User, today: date
) -> tuple[list[Period], frozenset[str]]:
    """From one query of the student's registrations: the cohorts in which they hold a place
    (for the overlap rule) and the neighbourhoods they know (they took part in a group there
    that has started)."""
    history = list(
        Enrolment.objects.filter(student_id=student.pk, state__in=TAKING_PART_STATES)
        .exclude(cohort__state=CohortState.CANCELLED)
        .values(
            "state",
            "cohort__starts_on",
            "cohort__ends_on",
            "cohort__project__csl_level",
            "cohort__project__neighbourhood__name",
        )
    )
    places = [
        Period(
            starts_on=row["cohort__starts_on"],
            ends_on=row["cohort__ends_on"],
            intensive=row["cohort__project__csl_level"] == CslLevel.INTENSIVE,
        )
        for row in history
        if row["state"] in PLACE_STATES
    ]
    known = frozenset(
        row["cohort__project__neighbourhood__name"]
        for row in history
        if row["state"] in WORKED_STATES
        and row["cohort__starts_on"] <= today
        and row["cohort__project__neighbourhood__name"]
    )
    return places, known


def _candidate_cohorts(*, student: User, kind: str, now: datetime) -> QuerySet:
    """Cohorts with a free place, open now, for the student's type of education, of projects
    the student is not in and has not ranked; soonest first, as dicts."""
    own = Enrolment.objects.filter(student_id=student.pk)
    return (
        joinable_cohorts_with_room(now=now)
        .filter(project__institution_kinds__contains=[kind])
        .exclude(Exists(own.filter(cohort=OuterRef("pk"))))
        .exclude(
            Exists(own.filter(cohort__project=OuterRef("project_id"), state__in=TAKING_PART_STATES))
        )
        .exclude(
            Exists(
                CohortPreference.objects.filter(
                    student_id=student.pk, cohort__project=OuterRef("project_id")
                )
            )
        )
        .annotate(theme_names=_names(Theme.objects.filter(projects=OuterRef("project_id"))))
        .order_by("starts_on", "project__title", "pk")
        .values(
            "pk",
            "starts_on",
            "ends_on",
            "max_size",
            "members",
            "admission_mode",
            "project_id",
            "project__title",
            "project__slug",
            "project__summary",
            "project__csl_level",
            "project__institution_kinds",
            "project__language",
            "project__weekdays",
            "project__works_with_vulnerable_residents",
            "project__neighbourhood__name",
            "theme_names",
        )
    )


def _project_recommendation(row: dict, one: Fit) -> ProjectRecommendation:
    return ProjectRecommendation(
        title=row["project__title"],
        url=reverse("projects:detail", args=[row["project__slug"]]),
        summary=row["project__summary"],
        starts_on=row["starts_on"],
        places_left=max(row["max_size"] - row["members"], 0),
        admission_mode=row["admission_mode"],
        fit=one,
        reasons=explain(one, audience=Audience.STUDENT),
        note=vog_note(one),
    )


# --- Researchers and challenges ------------------------------------------------------------


@dataclass(frozen=True)
class ResearcherMatch:
    """A researcher or lecturer who fits a challenge, as a coordinator sees them."""

    user_id: int
    name: str
    email: str
    position: str
    institution: str
    fit: Fit
    reasons: str


def _challenge_offer(row: dict) -> Offer:
    return Offer(
        id=row["pk"],
        themes=frozenset(row["theme_names"]),
        text=f"{row['title']} {row['question']} {row['target_group']}",
    )


def fitting_researchers(
    *, challenge_id: int, limit: int = MAX_RESEARCHERS
) -> list[ResearcherMatch]:
    """Active researchers and lecturers who share themes or expertise words with the
    challenge, best first. Two queries: the challenge, the researchers."""
    challenge = (
        Challenge.objects.filter(pk=challenge_id)
        .annotate(theme_names=_names(Theme.objects.filter(challenges=OuterRef("pk"))))
        .values("pk", "title", "question", "target_group", "theme_names")
        .first()
    )
    if challenge is None:
        return []
    offer = _challenge_offer(challenge)
    researchers = (
        ResearcherProfile.objects.annotate(theme_names=_researcher_theme_names())
        .filter(user__role=Role.RESEARCHER, user__is_active=True)
        .order_by("user__name", "user_id")
        .values(
            "user_id",
            "user__name",
            "user__email",
            "position",
            "institution__name",
            "expertise",
            "theme_names",
        )
    )
    pairs = (
        (row, fit(Person(themes=frozenset(row["theme_names"]), text=row["expertise"]), offer))
        for row in researchers
    )
    return [
        ResearcherMatch(
            user_id=row["user_id"],
            name=row["user__name"],
            email=row["user__email"],
            position=str(Position(row["position"]).label),
            institution=row["institution__name"] or "",
            fit=one,
            reasons=explain(one, audience=Audience.COORDINATOR),
        )
        for row, one in rank(pairs, limit=limit)
    ]


@dataclass(frozen=True)
class ChallengeMatch:
    """A public challenge that fits a researcher, as they see it."""

    title: str
    organisation: str
    question: str
    fit: Fit
    reasons: str


@dataclass(frozen=True)
class ResearcherChallenges:
    # No themes and no expertise yet: ask the researcher to fill in their profile.
    needs_profile: bool
    challenges: tuple[ChallengeMatch, ...] = ()


def fitting_challenges(
    *, researcher: User, limit: int = MAX_CHALLENGES
) -> ResearcherChallenges | None:
    """Public challenges still open to help that fit the researcher, best first (the most
    recently changed first among equals); None without a researcher profile. Two queries."""
    profile = (
        ResearcherProfile.objects.annotate(theme_names=_researcher_theme_names())
        .filter(user_id=researcher.pk)
        .values("expertise", "theme_names")
        .first()
    )
    if profile is None:
        return None
    if not profile["theme_names"] and not profile["expertise"].strip():
        return ResearcherChallenges(needs_profile=True)
    person = Person(themes=frozenset(profile["theme_names"]), text=profile["expertise"])
    challenges = (
        public_challenges()
        .filter(state__in=OPEN_CHALLENGE_STATES)
        .annotate(theme_names=_names(Theme.objects.filter(challenges=OuterRef("pk"))))
        .order_by("-state_changed_at", "pk")
        .values("pk", "title", "question", "target_group", "organisation__name", "theme_names")
    )
    pairs = ((row, fit(person, _challenge_offer(row))) for row in challenges)
    return ResearcherChallenges(
        needs_profile=False,
        challenges=tuple(
            ChallengeMatch(
                title=row["title"],
                organisation=row["organisation__name"],
                question=row["question"],
                fit=one,
                reasons=explain(one, audience=Audience.RESEARCHER),
            )
            for row, one in rank(pairs, limit=limit)
        ),
    )
