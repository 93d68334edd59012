"""Allocation runs against the database: dry run, review, publish, and the periodic job."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import InstitutionKind, Role
from lerenmetdestad.admin_base import CHANGE_FORM_ACTION
from matching.enums import AllocationMode, AllocationRunState, UnplacedReason
from matching.models import AllocationRun
from matching.services import (
    AllocationError,
    allocation_dry_run,
    allocation_publish_run,
    allocation_runs_due,
)
from matching.tasks import allocation_runs_due_task
from outbox.models import Message
from partners.enums import CslLevel
from projects.enums import AdmissionMode, CohortState, EnrolmentState
from projects.models import ApplicantRank, Cohort, CohortPreference, Enrolment
from tests.factories import InstitutionFactory, StudentFactory, UserFactory
from tests.fixtures.celery_worker import wait_until
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("english")]

ADD_URL = reverse("admin:matching_allocationrun_add")
CHANGELIST_URL = reverse("admin:matching_allocationrun_changelist")


def closed_preference_cohort(project, **fields) -> Cohort:
    now = timezone.now()
    return CohortFactory(
        project=project,
        admission_mode=AdmissionMode.PREFERENCE,
        state=CohortState.CLOSED,
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now - timedelta(hours=1),
        **fields,
    )


def student_of(kind: str, name: str):
    person = StudentFactory(name=name, language="en")
    person.student_profile.institution = InstitutionFactory(kind=kind)
    person.student_profile.level = kind
    person.student_profile.save()
    return person


def ranks(person, *cohorts) -> None:
    for rank, cohort in enumerate(cohorts, start=1):
        CohortPreference.objects.create(student=person, cohort=cohort, rank=rank)


@pytest.fixture
def scene(db):
    """Two groups; one only for hbo and university students, intensive.

    Unique optimum: Anna and Carla in A (their first choice), Bram in B (his first choice);
    Dirk (mbo) may not join A, the only group he chose.
    """
    project_a = ProjectFactory(
        title="Buurtkamer", institution_kinds=["hbo", "wo"], csl_level=CslLevel.INTENSIVE
    )
    project_b = ProjectFactory(title="Taalcafé")
    a = closed_preference_cohort(project_a, min_size=1, max_size=2)
    b = closed_preference_cohort(project_b, min_size=1, max_size=2)
    anna = student_of(InstitutionKind.HBO, "Anna")
    bram = student_of(InstitutionKind.HBO, "Bram")
    carla = student_of(InstitutionKind.HBO, "Carla")
    dirk = student_of(InstitutionKind.MBO, "Dirk")
    ranks(anna, a, b)
    ranks(bram, b, a)
    ranks(carla, a)
    ranks(dirk, a)
    return {"a": a, "b": b, "anna": anna, "bram": bram, "carla": carla, "dirk": dirk}


def log_in_english(client, person) -> None:
    person.language = "en"
    person.save(update_fields=["language"])
    sign_in_for_admin(client, person)


def placements_of(run):
    return {
        (p.student.name, p.cohort.project.title if p.cohort else None, p.rank, p.unplaced_reason)
        for p in run.placements.select_related("student", "cohort__project")
    }


def test_dry_run_in_the_admin_proposes_without_telling_anyone(client, coordinator, scene):
    sign_in_for_admin(client, coordinator)

    page = client.get(ADD_URL)
    response = client.post(
        ADD_URL, {"mode": AllocationMode.WELFARE, "cohorts": [scene["a"].pk, scene["b"].pk]}
    )

    run = AllocationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:matching_allocationrun_change", args=[run.pk])
    assert [c.pk for c in page.context["form"].fields["cohorts"].queryset] == sorted(
        [scene["a"].pk, scene["b"].pk]
    )
    assert placements_of(run) == {
        ("Anna", "Buurtkamer", 1, ""),
        ("Carla", "Buurtkamer", 1, ""),
        ("Bram", "Taalcafé", 1, ""),
        ("Dirk", None, None, UnplacedReason.NONE_ELIGIBLE),
    }
    assert (run.state, run.mode, run.created_by) == (
        AllocationRunState.DRY_RUN,
        AllocationMode.WELFARE,
        coordinator,
    )
    assert (run.summary["placed"], run.summary["first_choice"], run.summary["unplaced"]) == (
        3,
        3,
        1,
    )
    assert Enrolment.objects.count() == 0
    assert Message.objects.filter(recipient__role=Role.STUDENT).count() == 0


def test_review_page_shows_each_group_and_why_someone_has_no_place(client, coordinator, scene):
    run = allocation_dry_run(
        cohort_ids=[scene["a"].pk, scene["b"].pk], mode=AllocationMode.WELFARE, actor=coordinator
    )
    log_in_english(client, coordinator)

    response = client.get(reverse("admin:matching_allocationrun_change", args=[run.pk]))

    review = response.context["review"]
    assert [
        (str(g["cohort"].project), [p.student.name for p in g["placements"]])
        for g in review["groups"]
    ] == [("Buurtkamer", ["Anna", "Carla"]), ("Taalcafé", ["Bram"])]
    with translation.override("en"):
        unplaced = [(p.student.name, p.get_unplaced_reason_display()) for p in review["unplaced"]]
    assert unplaced == [("Dirk", "None of the chosen groups is open to this student")]
    assert "None of the chosen groups is open to this student" in response.text


def test_review_page_runs_the_same_queries_for_few_and_many_students(
    client, coordinator, scene, django_assert_num_queries
):
    sign_in_for_admin(client, coordinator)
    small = allocation_dry_run(
        cohort_ids=[scene["a"].pk], mode=AllocationMode.WELFARE, actor=coordinator
    )
    for n in range(12):
        ranks(student_of(InstitutionKind.WO, f"Extra {n}"), scene["b"])
    large = allocation_dry_run(
        cohort_ids=[scene["a"].pk, scene["b"].pk], mode=AllocationMode.WELFARE, actor=coordinator
    )
    url = "admin:matching_allocationrun_change"

    client.get(reverse(url, args=[small.pk]))  # warm the session and content types
    with django_assert_num_queries(9) as small_queries:
        client.get(reverse(url, args=[small.pk]))
    with django_assert_num_queries(len(small_queries)):
        client.get(reverse(url, args=[large.pk]))


def publish_in_admin(client, run):
    """The coordinator's two steps: the action asks, the second post confirms."""
    data = {CHANGE_FORM_ACTION: "publish_runs", "_selected_action": [run.pk]}
    url = reverse("admin:matching_allocationrun_change", args=[run.pk])
    question = client.post(url, data)
    answer = client.post(url, {**data, "apply": "1"})
    return question, answer


def test_publish_in_the_admin_enrols_and_mails_everyone_once(client, coordinator, scene):
    run = allocation_dry_run(
        cohort_ids=[scene["a"].pk, scene["b"].pk], mode=AllocationMode.WELFARE, actor=coordinator
    )
    log_in_english(client, coordinator)

    question, answer = publish_in_admin(client, run)
    again = publish_in_admin(client, run)[1]

    run.refresh_from_db()
    assert question.status_code == 200
    assert "Publish: give the places and mail every student" in question.text
    assert answer.status_code == 302
    assert run.state == AllocationRunState.PUBLISHED
    assert set(
        Enrolment.objects.values_list("cohort__project__title", "student__name", "state")
    ) == {
        ("Buurtkamer", "Anna", EnrolmentState.MEMBER),
        ("Buurtkamer", "Carla", EnrolmentState.MEMBER),
        ("Taalcafé", "Bram", EnrolmentState.MEMBER),
    }
    assert Cohort.objects.filter(allocated_at__isnull=True).count() == 0
    assert sorted(
        Message.objects.filter(recipient__role=Role.STUDENT).values_list(
            "recipient__name", "subject"
        )
    ) == [
        ("Anna", "You have a place in Buurtkamer"),
        ("Bram", "You have a place in Taalcafé"),
        ("Carla", "You have a place in Buurtkamer"),
        ("Dirk", "No place in the groups you chose"),
    ]
    dirk_mail = Message.objects.get(recipient=scene["dirk"])
    assert "Why: None of the chosen groups is open to this student." in dirk_mail.body_text
    assert "This was your first choice." in Message.objects.get(recipient=scene["anna"]).body_text
    assert "only a dry run can be published" in " ".join(
        str(m) for m in again.wsgi_request._messages
    )
    assert Enrolment.objects.count() == 3


def test_second_run_over_allocated_groups_is_refused_and_writes_nothing(coordinator, scene):
    cohorts = [scene["a"].pk, scene["b"].pk]
    first = allocation_dry_run(cohort_ids=cohorts, mode=AllocationMode.WELFARE, actor=coordinator)
    second = allocation_dry_run(cohort_ids=cohorts, mode=AllocationMode.WELFARE, actor=coordinator)
    allocation_publish_run(run_id=first.pk, actor=coordinator)

    with pytest.raises(AllocationError) as refused:
        allocation_publish_run(run_id=second.pk, actor=coordinator)
    with pytest.raises(AllocationError):
        allocation_dry_run(cohort_ids=cohorts, mode=AllocationMode.WELFARE, actor=coordinator)

    assert "have already been allocated" in str(refused.value)
    assert AllocationRun.objects.get(pk=second.pk).state == AllocationRunState.DRY_RUN
    assert Enrolment.objects.count() == 3


def test_publish_refuses_a_dry_run_that_a_new_clash_made_stale(coordinator, scene):
    run = allocation_dry_run(
        cohort_ids=[scene["a"].pk, scene["b"].pk], mode=AllocationMode.WELFARE, actor=coordinator
    )
    # Since the dry run, Carla took a place in another intensive project at the same time.
    other = CohortFactory(
        project=ProjectFactory(title="Elders", csl_level=CslLevel.INTENSIVE),
        starts_on=scene["a"].starts_on,
        ends_on=scene["a"].ends_on,
    )
    EnrolmentFactory(cohort=other, student=scene["carla"])

    with pytest.raises(AllocationError) as refused:
        allocation_publish_run(run_id=run.pk, actor=coordinator)

    assert "Carla" in str(refused.value)
    assert "Make a new dry run" in str(refused.value)
    assert Enrolment.objects.exclude(cohort=other).count() == 0
    assert Cohort.objects.filter(allocated_at__isnull=False).count() == 0
    assert AllocationRun.objects.get(pk=run.pk).state == AllocationRunState.DRY_RUN


def test_stable_mode_follows_the_lecturers_ranking(coordinator, db):
    project_a = ProjectFactory(title="Buurtkamer")
    project_b = ProjectFactory(title="Taalcafé")
    a = closed_preference_cohort(project_a, min_size=1, max_size=1)
    b = closed_preference_cohort(project_b, min_size=1, max_size=1)
    anna = student_of(InstitutionKind.HBO, "Anna")
    carla = student_of(InstitutionKind.HBO, "Carla")
    ranks(anna, a, b)
    ranks(carla, a)

    unranked = allocation_dry_run(
        cohort_ids=[a.pk, b.pk], mode=AllocationMode.STABLE, actor=coordinator
    )
    ApplicantRank.objects.create(project=project_a, student=carla, rank=1)
    ApplicantRank.objects.create(project=project_a, student=anna, rank=2)
    ranked = allocation_dry_run(
        cohort_ids=[a.pk, b.pk], mode=AllocationMode.STABLE, actor=coordinator
    )

    # Unranked applicants come in the order they ranked: Anna first, so she gets A.
    assert placements_of(unranked) == {
        ("Anna", "Buurtkamer", 1, ""),
        ("Carla", None, None, UnplacedReason.FULL),
    }
    assert placements_of(ranked) == {
        ("Carla", "Buurtkamer", 1, ""),
        ("Anna", "Taalcafé", 2, ""),
    }


def test_minimum_team_size_leaves_a_group_that_cannot_start_empty(coordinator, db):
    popular = closed_preference_cohort(ProjectFactory(title="Populair"), min_size=1, max_size=2)
    small = closed_preference_cohort(ProjectFactory(title="Klein"), min_size=3, max_size=4)
    anna = student_of(InstitutionKind.HBO, "Anna")
    bram = student_of(InstitutionKind.HBO, "Bram")
    ranks(anna, small, popular)
    ranks(bram, small, popular)

    run = allocation_dry_run(
        cohort_ids=[popular.pk, small.pk], mode=AllocationMode.WELFARE, actor=coordinator
    )

    assert placements_of(run) == {("Anna", "Populair", 2, ""), ("Bram", "Populair", 2, "")}
    assert run.summary["closed_cohorts"] == [small.pk]


def test_dry_run_refuses_groups_still_open_for_ranking(coordinator, scene):
    still_open = CohortFactory(admission_mode=AdmissionMode.PREFERENCE)

    with pytest.raises(AllocationError) as refused:
        allocation_dry_run(
            cohort_ids=[scene["a"].pk, still_open.pk],
            mode=AllocationMode.WELFARE,
            actor=coordinator,
        )

    assert str(still_open) in str(refused.value)
    assert AllocationRun.objects.count() == 0


@pytest.fixture
def staff_non_coordinator(db):
    person = UserFactory(role=Role.PARTNER, is_staff=True, name="Stef Staf")
    # Even with the coordinators' model permissions, the role decides.
    person.groups.add(Group.objects.get(name="Coordinators"))
    return person


def test_non_coordinator_staff_cannot_make_review_or_publish_runs(
    client, coordinator, staff_non_coordinator, scene
):
    run = allocation_dry_run(
        cohort_ids=[scene["a"].pk, scene["b"].pk], mode=AllocationMode.WELFARE, actor=coordinator
    )
    sign_in_for_admin(client, staff_non_coordinator)

    add = client.post(ADD_URL, {"mode": AllocationMode.WELFARE, "cohorts": [scene["a"].pk]})
    listing = client.get(CHANGELIST_URL)
    publish = client.post(
        CHANGELIST_URL, {"action": "publish_runs", "_selected_action": [run.pk], "apply": "1"}
    )

    assert add.status_code == 403
    assert listing.status_code == 403
    assert publish.status_code == 403
    assert AllocationRun.objects.count() == 1
    assert Enrolment.objects.count() == 0
    with pytest.raises(AllocationError):
        allocation_publish_run(run_id=run.pk, actor=staff_non_coordinator)


def test_student_and_anonymous_never_reach_the_allocation_admin(client, student, scene):
    assert client.get(CHANGELIST_URL).status_code == 302
    client.force_login(student)
    assert client.get(CHANGELIST_URL).status_code == 302


def test_periodic_job_makes_one_dry_run_and_asks_coordinators_once(coordinator, scene):
    first = allocation_runs_due()
    second = allocation_runs_due()

    run = AllocationRun.objects.get()
    assert [r.pk for r in first] == [run.pk]
    assert second == []
    assert (run.created_by, run.state) == (None, AllocationRunState.DRY_RUN)
    assert set(run.cohorts.values_list("pk", flat=True)) == {scene["a"].pk, scene["b"].pk}
    assert Message.objects.filter(recipient=coordinator).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_periodic_job_runs_on_a_real_worker(celery_worker):
    coordinator = UserFactory(role=Role.COORDINATOR, is_staff=True, name="Cora")
    cohort = closed_preference_cohort(ProjectFactory(title="Buurtkamer"), max_size=2)
    ranks(student_of(InstitutionKind.HBO, "Anna"), cohort)

    allocation_runs_due_task.delay()

    run = wait_until(AllocationRun.objects.first, timeout=30, interval=0.2)
    assert run is not None, celery_worker.log()
    assert placements_of(run) == {("Anna", "Buurtkamer", 1, "")}
    assert Message.objects.filter(recipient=coordinator).count() == 1
