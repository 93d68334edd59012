"""One definition per export: its columns, in order, and the queryset they read.

Every export reads its rows in a fixed number of queries (select_related for single
relations, one prefetch per list of names), however many rows there are.
"""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import InstitutionKind
from coordination.exports.base import Column, Export, names, yes_no
from events.models import Registration
from partners.models import Challenge
from projects.enums import EnrolmentState
from projects.models import AcademicPeriod, Cohort, Enrolment, HoursEntry, Project
from projects.services.cohorts import ROSTER_ORDER

# Students who took part in a project: in the team now, or done.
TOOK_PART = [EnrolmentState.MEMBER, EnrolmentState.COMPLETED]


def local_date(moment: datetime | None):
    return timezone.localdate(moment) if moment is not None else None


def local_minute(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment is not None else ""


class ChallengeExport(Export):
    """Challenges without their contact persons' or residents' details, messages or notes."""

    kind = "vraagstukken"
    title = _("Challenges")
    theme_lookup = "themes"
    neighbourhood_lookup = "neighbourhoods"
    columns = (
        Column(_("ID"), lambda c: c.pk),
        Column(_("Title"), lambda c: c.title),
        Column(_("Partner organisation"), lambda c: c.organisation.name),
        Column(_("State"), lambda c: c.get_state_display()),
        Column(_("Themes"), lambda c: names(c.themes.all())),
        Column(_("Neighbourhoods"), lambda c: names(c.neighbourhoods.all())),
        Column(_("Question"), lambda c: c.question),
        Column(_("CSL level"), lambda c: c.get_desired_level_display()),
        Column(_("Residents involved"), lambda c: c.get_resident_involvement_display()),
        Column(_("Resident contact moments per month"), lambda c: c.resident_contacts_per_month),
        Column(_("Start from"), lambda c: c.desired_start),
        Column(_("Finish by"), lambda c: c.desired_end),
        Column(_("Submitted on"), lambda c: local_date(c.submitted_at)),
        Column(_("State changed on"), lambda c: local_date(c.state_changed_at)),
        Column(_("Projects"), lambda c: c.project_count),
        Column(_("May be shown publicly"), lambda c: yes_no(c.is_public)),
    )

    def queryset(self) -> QuerySet:
        return (
            Challenge.objects.select_related("organisation")
            .prefetch_related("themes", "neighbourhoods")
            .annotate(project_count=Count("projects"))
            .order_by("created_at", "pk")
        )

    def in_period(self, queryset: QuerySet, period: AcademicPeriod) -> QuerySet:
        return queryset.filter(created_at__date__range=(period.starts_on, period.ends_on))


class ProjectExport(Export):
    kind = "projecten"
    title = _("Projects")
    theme_lookup = "themes"
    neighbourhood_lookup = "neighbourhood"
    columns = (
        Column(_("ID"), lambda p: p.pk),
        Column(_("Title"), lambda p: p.title),
        Column(_("Challenge"), lambda p: p.challenge.title),
        Column(_("Partner organisations"), lambda p: names(p.organisations.all())),
        Column(_("Themes"), lambda p: names(p.themes.all())),
        Column(_("Neighbourhood"), lambda p: p.neighbourhood.name if p.neighbourhood else ""),
        Column(_("Where"), lambda p: p.get_location_kind_display()),
        Column(_("CSL level"), lambda p: p.get_csl_level_display()),
        Column(
            _("For students of"),
            lambda p: ", ".join(str(InstitutionKind(kind).label) for kind in p.institution_kinds),
        ),
        Column(_("Language"), lambda p: p.get_language_display()),
        Column(_("Hours per week"), lambda p: p.hours_per_week),
        Column(_("Groups"), lambda p: p.cohort_count),
        Column(_("Students who took part"), lambda p: p.student_count),
        Column(_("Created on"), lambda p: local_date(p.created_at)),
    )

    def queryset(self) -> QuerySet:
        return (
            Project.objects.select_related("challenge", "neighbourhood")
            .prefetch_related("organisations", "themes")
            .annotate(
                cohort_count=Count("cohorts", distinct=True),
                student_count=Count(
                    "cohorts__enrolments",
                    filter=Q(cohorts__enrolments__state__in=TOOK_PART),
                    distinct=True,
                ),
            )
            .order_by("title", "pk")
        )

    def in_period(self, queryset: QuerySet, period: AcademicPeriod) -> QuerySet:
        return queryset.filter(Exists(Cohort.objects.filter(project=OuterRef("pk"), period=period)))


class CohortExport(Export):
    """Groups with their rosters: one row per student on the roster (the team, then
    applications, then the waiting list, as on the roster in the admin), and one row with
    the student's columns empty for a group nobody is on yet."""

    kind = "groepen"
    title = _("Groups")
    theme_lookup = "project__themes"
    neighbourhood_lookup = "project__neighbourhood"
    columns = (
        Column(_("Project"), lambda r: r[0].project.title),
        Column(_("Group"), lambda r: r[0].number),
        Column(_("State of the group"), lambda r: r[0].get_state_display()),
        Column(_("Academic period"), lambda r: r[0].period.name if r[0].period else ""),
        Column(_("Starts"), lambda r: r[0].starts_on),
        Column(_("Ends"), lambda r: r[0].ends_on),
        Column(_("Admission"), lambda r: r[0].get_admission_mode_display()),
        Column(_("Places"), lambda r: r[0].max_size),
        Column(_("Name"), lambda r: r[1].student.name if r[1] else ""),
        Column(_("Email"), lambda r: r[1].student.email if r[1] else ""),
        Column(_("Institution"), lambda r: _institution(r[1])),
        Column(_("Programme"), lambda r: _programme(r[1])),
        Column(_("State"), lambda r: r[1].get_state_display() if r[1] else ""),
        Column(_("Place on the waiting list"), lambda r: r[2]),
        Column(_("VOG confirmed by student"), lambda r: yes_no(r[1].vog_confirmed) if r[1] else ""),
        Column(_("VOG checked on"), lambda r: local_date(r[1].vog_checked_at) if r[1] else None),
    )

    def queryset(self) -> QuerySet:
        roster = (
            Enrolment.objects.filter(state__in=ROSTER_ORDER)
            .select_related("student__student_profile__institution")
            .order_by("queued_at", "pk")
        )
        return (
            Cohort.objects.select_related("project", "period")
            .prefetch_related(Prefetch("enrolments", queryset=roster, to_attr="roster"))
            .order_by("starts_on", "project__title", "number", "pk")
        )

    def in_period(self, queryset: QuerySet, period: AcademicPeriod) -> QuerySet:
        return queryset.filter(period=period)

    def records(self, queryset: QuerySet) -> Iterator[tuple]:
        rank = {state: index for index, state in enumerate(ROSTER_ORDER)}
        for cohort in queryset:
            if not cohort.roster:
                yield cohort, None, None
            waiting = 0
            # sorted() is stable, so each state keeps the order of the queue.
            for enrolment in sorted(cohort.roster, key=lambda e: rank[e.state]):
                position = None
                if enrolment.state == EnrolmentState.WAITLISTED:
                    waiting += 1
                    position = waiting
                yield cohort, enrolment, position


def _profile(enrolment: Enrolment | None):
    if enrolment is None:
        return None
    return getattr(enrolment.student, "student_profile", None)


def _institution(enrolment: Enrolment | None) -> str:
    profile = _profile(enrolment)
    return profile.institution.name if profile is not None and profile.institution else ""


def _programme(enrolment: Enrolment | None) -> str:
    profile = _profile(enrolment)
    return profile.programme if profile is not None else ""


class RegistrationExport(Export):
    """Meet & Match registrations, without check-in codes and without whom people want or
    would rather not meet (they tell that to the matching, not to a spreadsheet)."""

    kind = "aanmeldingen"
    title = _("Meet & Match registrations")
    theme_lookup = "event__themes"
    columns = (
        Column(_("Meet & Match"), lambda r: r.event.title),
        Column(_("Date"), lambda r: local_date(r.event.starts_at)),
        Column(_("Name"), lambda r: r.person.name),
        Column(_("Email"), lambda r: r.person.email),
        Column(_("Comes as"), lambda r: r.get_role_at_event_display()),
        Column(_("Brings"), lambda r: r.brings),
        Column(_("Looking for"), lambda r: r.seeks),
        Column(_("Themes"), lambda r: names(r.themes.all())),
        Column(_("State"), lambda r: r.get_state_display()),
        Column(_("On the list"), lambda r: yes_no(r.listed)),
        Column(_("Checked in"), lambda r: local_minute(r.checked_in_at)),
    )

    def queryset(self) -> QuerySet:
        return (
            Registration.objects.select_related("event", "person")
            .prefetch_related("themes")
            .order_by("event__starts_at", "event_id", "queued_at", "pk")
        )

    def in_period(self, queryset: QuerySet, period: AcademicPeriod) -> QuerySet:
        return queryset.filter(event__starts_at__date__range=(period.starts_on, period.ends_on))


class HoursExport(Export):
    kind = "uren"
    title = _("Hours")
    theme_lookup = "enrolment__cohort__project__themes"
    neighbourhood_lookup = "enrolment__cohort__project__neighbourhood"
    columns = (
        Column(_("Student"), lambda h: h.enrolment.student.name),
        Column(_("Institution"), lambda h: _institution(h.enrolment)),
        Column(_("Project"), lambda h: h.enrolment.cohort.project.title),
        Column(_("Group"), lambda h: h.enrolment.cohort.number),
        Column(_("Date"), lambda h: h.worked_on),
        Column(_("Hours"), lambda h: h.hours),
        Column(_("What was done"), lambda h: h.description),
        Column(_("State"), lambda h: h.get_state_display()),
        Column(_("Decided by"), lambda h: h.decided_by.name if h.decided_by else ""),
        Column(_("Decided on"), lambda h: local_date(h.decided_at)),
        Column(_("Why disputed"), lambda h: h.dispute_note),
    )

    def queryset(self) -> QuerySet:
        return HoursEntry.objects.select_related(
            "enrolment__student__student_profile__institution",
            "enrolment__cohort__project",
            "decided_by",
        ).order_by(
            "enrolment__cohort__project__title",
            "enrolment__cohort__number",
            "enrolment__student__name",
            "worked_on",
            "pk",
        )

    def in_period(self, queryset: QuerySet, period: AcademicPeriod) -> QuerySet:
        return queryset.filter(enrolment__cohort__period=period)


EXPORTS: dict[str, Export] = {
    export.kind: export
    for export in (
        ChallengeExport(),
        ProjectExport(),
        CohortExport(),
        RegistrationExport(),
        HoursExport(),
    )
}
