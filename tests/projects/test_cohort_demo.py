"""The demo projects and cohorts: every cohort state, real-looking students, safe to run twice."""

import pytest
from allauth.account.models import EmailAddress
from django.db.models import Count, Q
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.demo import INSTITUTIONS, demo_password
from accounts.models import User
from partners import demo as partners_demo
from partners.demo_challenges import seed_challenges
from partners.demo_organisations import seed_organisations
from partners.enums import ChallengeState
from partners.models import Challenge
from projects.demo import seed_projects
from projects.enums import CohortState, EnrolmentState, LocationKind
from projects.models import AcademicPeriod, Cohort, CohortPreference, Enrolment, Project
from projects.services.allocation import allocatable_cohorts
from tests.support.mfa import staff_sign_in

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def seeded():
    partners_demo.seed()
    accounts_demo.seed_institutions()
    accounts_demo.seed_users()
    seed_organisations()
    seed_challenges()


def counts():
    return tuple(
        model.objects.count() for model in (Project, Cohort, Enrolment, User, AcademicPeriod)
    )


def test_seed_projects_is_idempotent(seeded):
    first = seed_projects()
    after_first = counts()
    second = seed_projects()

    assert (first, second) == (6, 0)
    assert counts() == after_first


def test_demo_cohorts_cover_every_state_and_fit_their_dates(seeded):
    seed_projects()
    now = timezone.now()
    today = timezone.localdate()

    assert sorted(Cohort.objects.values_list("state", flat=True)) == sorted(
        [*CohortState.values, CohortState.OPEN, CohortState.PLANNED, *[CohortState.CLOSED] * 2]
    )
    for cohort in Cohort.objects.all():
        assert 32 <= (cohort.ends_on - cohort.starts_on).days <= 70
        if cohort.state == CohortState.OPEN:
            assert cohort.registration_opens_at <= now < cohort.registration_closes_at
        if cohort.state == CohortState.PLANNED:
            assert now < cohort.registration_opens_at
        if cohort.state == CohortState.RUNNING:
            assert cohort.starts_on <= today <= cohort.ends_on
        if cohort.state == CohortState.COMPLETED:
            assert cohort.ends_on < today
    # Never over capacity, and one open group is full with a waiting list.
    teams = Cohort.objects.annotate(
        members=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.MEMBER)),
        waiting=Count("enrolments", filter=Q(enrolments__state=EnrolmentState.WAITLISTED)),
    )
    assert all(cohort.members <= cohort.max_size for cohort in teams)
    open_teams = sorted(
        (c.members == c.max_size, c.waiting) for c in teams if c.state == CohortState.OPEN
    )
    assert open_teams == [(False, 0), (True, 2)]


def test_demo_projects_come_from_accepted_challenges_which_are_then_in_progress(seeded):
    seed_projects()

    assert set(
        Challenge.objects.filter(projects__isnull=False).values_list("state", flat=True)
    ) == {ChallengeState.IN_PROGRESS}
    # Some accepted challenges still wait for a project, to show that step in the admin.
    assert Challenge.objects.filter(state=ChallengeState.ACCEPTED, projects__isnull=True).exists()
    op_locatie = Project.objects.filter(location_kind=LocationKind.OP_LOCATIE)
    assert op_locatie.count() == 3
    assert set(op_locatie.values_list("neighbourhood__district", flat=True)) == {"Leiden-Noord"}
    assert (
        Project.objects.filter(lecturers__email="onderzoeker@demo.lerenmetdestad.nl").count() == 2
    )
    assert sorted(AcademicPeriod.objects.values_list("name", flat=True)) == [
        "2026-2027 semester 1",
        "2026-2027 semester 2",
    ]


def test_demo_students_are_real_accounts_enrolled_and_waiting(seeded, client):
    seed_projects()

    me = User.objects.get(email="student@demo.lerenmetdestad.nl")
    assert sorted(Enrolment.objects.filter(student=me).values_list("cohort__state", "state")) == [
        (CohortState.COMPLETED, EnrolmentState.COMPLETED),
        (CohortState.OPEN, EnrolmentState.WAITLISTED),
        (CohortState.RUNNING, EnrolmentState.MEMBER),
    ]
    extra = User.objects.filter(email__endswith="@demo.lerenmetdestad.nl", role="student").exclude(
        pk=me.pk
    )
    assert extra.count() == 11
    institutions = {name for name, *_rest in INSTITUTIONS}
    for person in extra.select_related("student_profile__institution"):
        assert person.student_profile.is_complete
        assert person.student_profile.institution.name in institutions
        assert EmailAddress.objects.get(user=person).verified
        assert Enrolment.objects.filter(student=person).exists()
    someone = extra.first()
    assert client.login(email=someone.email, password=demo_password(someone.email))


def test_demo_has_groups_waiting_for_an_allocation_of_places(seeded):
    seed_projects()

    waiting = allocatable_cohorts(now=timezone.now())

    assert sorted(str(c) for c in waiting) == [
        "Groene binnenplaatsen · 1",
        "Groene binnenplaatsen · 2",
    ]
    assert CohortPreference.objects.filter(cohort__in=waiting).count() == 9


def test_coordinators_work_with_the_demo_in_the_admin(seeded, client):
    seed_projects()
    email = "coordinator@demo.lerenmetdestad.nl"
    staff_sign_in(client, User.objects.get(email=email), password=demo_password(email))

    projects = client.get("/beheer/projects/project/")
    cohorts = client.get("/beheer/projects/cohort/", {"state__exact": "open"})
    periods = client.get("/beheer/projects/academicperiod/")

    assert projects.context["cl"].result_count == 6
    assert sorted(str(c) for c in cohorts.context["cl"].result_list) == [
        "Taalcafé in de bibliotheek · 1",
        "Voorlezen in de wijk · 2",
    ]
    assert [(p.name, p.cohort_count) for p in periods.context["cl"].result_list] == [
        ("2026-2027 semester 1", Cohort.objects.filter(period__name__endswith="1").count()),
        ("2026-2027 semester 2", Cohort.objects.filter(period__name__endswith="2").count()),
    ]
    for project in Project.objects.all():
        page = client.get(f"/beheer/projects/project/{project.pk}/change/")
        assert (
            len(page.context["inline_admin_formsets"][0].formset.forms) == project.cohorts.count()
        )
    for cohort in Cohort.objects.all():
        page = client.get(f"/beheer/projects/cohort/{cohort.pk}/change/")
        students = page.context["inline_admin_formsets"][0].formset.forms
        assert len(students) == cohort.enrolments.count()
