"""Lecturers and partners rank a project's applicants: the service, the page and the order the
stable allocation reads."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import InstitutionKind
from projects.enums import AdmissionMode
from projects.models import ApplicantRank, CohortPreference
from projects.services.errors import EnrolmentError
from projects.services.ranking import (
    ApplicantChoice,
    applicant_ranking,
    applicant_ranking_set,
    applicant_rankings,
    applicants_for_ranking,
)
from tests.factories import InstitutionFactory, StudentFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("english")]

T0 = timezone.now() - timedelta(days=1)


def _english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def partner_member(partner_member):
    return _english(partner_member)


@pytest.fixture
def project(partner_member):
    """A project of Paul's organisation with two groups in preference mode."""
    project = ProjectFactory(title="Samen koken", slug="samen-koken")
    project.organisations.first().memberships.create(user=partner_member)
    return project


@pytest.fixture
def cohorts(project):
    return CohortFactory.create_batch(2, project=project, admission_mode=AdmissionMode.PREFERENCE)


def _apply(student, cohort, *, choice=1, minutes=0):
    """The student ranks the cohort as their `choice`-th, `minutes` after T0."""
    return CohortPreference.objects.create(
        student=student, cohort=cohort, rank=choice, created_at=T0 + timedelta(minutes=minutes)
    )


def _applicants(cohort, count, *, minutes=0):
    students = StudentFactory.create_batch(count)
    for i, student in enumerate(students):
        _apply(student, cohort, minutes=minutes + i)
    return students


def _stored(project):
    return list(
        ApplicantRank.objects.filter(project=project)
        .order_by("rank")
        .values_list("student_id", "rank", "ranked_by_id")
    )


def _page(project):
    return reverse("projects:applicant_ranking", args=[project.slug])


def _field_value(page: str, student_id: int) -> str | None:
    match = re.search(rf'<input[^>]*name="rank-{student_id}"[^>]*>', page)
    assert match is not None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


# The service


def test_ranking_set_stores_exactly_the_ranking(project, cohorts, partner_member):
    anna, _bert, carla = _applicants(cohorts[0], 3)
    now = timezone.now()

    applicant_ranking_set(
        project=project, actor=partner_member, ranked_student_ids=[carla.pk, anna.pk], now=now
    )

    assert _stored(project) == [(carla.pk, 1, partner_member.pk), (anna.pk, 2, partner_member.pk)]
    assert set(ApplicantRank.objects.values_list("ranked_at", flat=True)) == {now}


def test_ranking_set_replaces_the_previous_ranking(project, cohorts, partner_member, coordinator):
    anna, bert = _applicants(cohorts[0], 2)
    applicant_ranking_set(
        project=project, actor=partner_member, ranked_student_ids=[anna.pk, bert.pk]
    )

    applicant_ranking_set(project=project, actor=coordinator, ranked_student_ids=[bert.pk])

    assert _stored(project) == [(bert.pk, 1, coordinator.pk)]


def test_ranking_set_lecturer_may_rank(project, cohorts, researcher):
    project.lecturers.add(researcher)
    (anna,) = _applicants(cohorts[1], 1)

    applicant_ranking_set(project=project, actor=researcher, ranked_student_ids=[anna.pk])

    assert _stored(project) == [(anna.pk, 1, researcher.pk)]


@pytest.mark.parametrize("outsider", ["student", "other_partner_member", "researcher"])
def test_ranking_set_refuses_outsiders(request, project, cohorts, outsider):
    (anna,) = _applicants(cohorts[0], 1)

    with pytest.raises(EnrolmentError) as error:
        applicant_ranking_set(
            project=project,
            actor=request.getfixturevalue(outsider),
            ranked_student_ids=[anna.pk],
        )

    assert str(error.value) == "Only the project's teachers and partner can rank its applicants."
    assert ApplicantRank.objects.count() == 0


def test_ranking_set_refuses_a_repeated_student(project, cohorts, partner_member):
    anna, bert = _applicants(cohorts[0], 2)

    with pytest.raises(EnrolmentError) as error:
        applicant_ranking_set(
            project=project, actor=partner_member, ranked_student_ids=[anna.pk, bert.pk, anna.pk]
        )

    assert str(error.value) == "A student appears more than once in the ranking."
    assert ApplicantRank.objects.count() == 0


def test_ranking_set_refuses_someone_who_did_not_apply(project, cohorts, partner_member, student):
    (anna,) = _applicants(cohorts[0], 1)
    elsewhere = CohortFactory(admission_mode=AdmissionMode.PREFERENCE)
    _apply(student, elsewhere)

    with pytest.raises(EnrolmentError) as error:
        applicant_ranking_set(
            project=project, actor=partner_member, ranked_student_ids=[anna.pk, student.pk]
        )

    assert str(error.value) == "The ranking names a student who has not applied to this project."
    assert ApplicantRank.objects.count() == 0


def test_ranking_set_refuses_once_every_group_is_allocated(project, cohorts, partner_member):
    (anna,) = _applicants(cohorts[0], 1)
    applicant_ranking_set(project=project, actor=partner_member, ranked_student_ids=[anna.pk])
    for cohort in cohorts:
        cohort.allocated_at = timezone.now()
        cohort.save(update_fields=["allocated_at"])

    with pytest.raises(EnrolmentError) as error:
        applicant_ranking_set(project=project, actor=partner_member, ranked_student_ids=[])

    assert str(error.value) == (
        "No group of this project is waiting for places, so there is nothing to rank."
    )
    assert _stored(project) == [(anna.pk, 1, partner_member.pk)]


# The order the allocation reads


def test_applicant_ranking_puts_unranked_last_first_come_first(project, cohorts, partner_member):
    early, late, ranked_second, ranked_first = StudentFactory.create_batch(4)
    same_time = StudentFactory.create_batch(2)
    _apply(late, cohorts[0], minutes=30)
    # A student's first preference for the project counts, whichever group it was for.
    _apply(late, cohorts[1], choice=2, minutes=40)
    _apply(early, cohorts[1], minutes=10)
    _apply(early, cohorts[0], choice=2, minutes=50)
    _apply(ranked_second, cohorts[0], minutes=0)
    _apply(ranked_first, cohorts[1], minutes=60)
    for student in reversed(same_time):
        _apply(student, cohorts[0], minutes=20)
    applicant_ranking_set(
        project=project,
        actor=partner_member,
        ranked_student_ids=[ranked_first.pk, ranked_second.pk],
    )

    assert applicant_ranking(project.pk) == (
        ranked_first.pk,
        ranked_second.pk,
        early.pk,
        same_time[0].pk,
        same_time[1].pk,
        late.pk,
    )


def test_applicant_ranking_leaves_out_what_cannot_be_allocated(project, cohorts, partner_member):
    ranked, withdrawn, allocated = StudentFactory.create_batch(3)
    _apply(ranked, cohorts[0])
    _apply(withdrawn, cohorts[0], minutes=1)
    applicant_ranking_set(
        project=project, actor=partner_member, ranked_student_ids=[withdrawn.pk, ranked.pk]
    )
    # The student takes their preference back after being ranked.
    CohortPreference.objects.filter(student=withdrawn).delete()
    done = CohortFactory(
        project=project, admission_mode=AdmissionMode.PREFERENCE, allocated_at=timezone.now()
    )
    _apply(allocated, done)
    first_come = CohortFactory(project=project)
    _apply(StudentFactory(), first_come)

    assert applicant_ranking(project.pk) == (ranked.pk,)


def test_applicant_rankings_reads_many_projects_in_one_query(
    django_assert_num_queries, project, cohorts
):
    other = CohortFactory(admission_mode=AdmissionMode.PREFERENCE)
    mine = _applicants(cohorts[0], 2)
    theirs = _applicants(other, 1)
    quiet = ProjectFactory()

    with django_assert_num_queries(1):
        rankings = applicant_rankings(project_ids=[project.pk, other.project_id, quiet.pk])

    assert rankings == {
        project.pk: (mine[0].pk, mine[1].pk),
        other.project_id: (theirs[0].pk,),
        quiet.pk: (),
    }


def test_applicants_for_ranking_describes_each_applicant(
    django_assert_num_queries, project, cohorts, partner_member
):
    anna = StudentFactory(name="Anna de Vries")
    anna.student_profile.level = InstitutionKind.MBO
    anna.student_profile.institution = InstitutionFactory(name="ROC Leiden")
    anna.student_profile.save()
    bert = StudentFactory(name="Bert Bakker")
    _apply(anna, cohorts[1], choice=1, minutes=5)
    _apply(anna, cohorts[0], choice=3, minutes=5)
    _apply(bert, cohorts[0], choice=2)
    applicant_ranking_set(project=project, actor=partner_member, ranked_student_ids=[anna.pk])

    with django_assert_num_queries(2):
        applicants = applicants_for_ranking(project=project)

    with translation.override("en"):
        described = [(a.name, str(a.level_label), a.institution, a.rank) for a in applicants]
    assert described == [
        ("Anna de Vries", "mbo (vocational college)", "ROC Leiden", 1),
        (
            "Bert Bakker",
            "hbo (university of applied sciences)",
            bert.student_profile.institution.name,
            None,
        ),
    ]
    # Each applicant's own choices for the project's groups, in the groups' order.
    assert applicants[0].choices == (
        ApplicantChoice(
            cohort_id=cohorts[0].pk,
            cohort_number=cohorts[0].number,
            starts_on=cohorts[0].starts_on,
            choice=3,
        ),
        ApplicantChoice(
            cohort_id=cohorts[1].pk,
            cohort_number=cohorts[1].number,
            starts_on=cohorts[1].starts_on,
            choice=1,
        ),
    )


# The page


def test_ranking_page_saves_the_typed_order(client, project, cohorts, partner_member):
    anna, bert, carla = _applicants(cohorts[0], 3)
    client.force_login(partner_member)

    response = client.post(
        _page(project),
        {f"rank-{anna.pk}": "5", f"rank-{bert.pk}": "", f"rank-{carla.pk}": " 2 "},
        follow=True,
    )

    assert response.redirect_chain == [(_page(project), 302)]
    page = response.content.decode()
    assert "Your ranking has been saved." in page
    # Gaps close up: 2 and 5 become 1 and 2.
    assert _stored(project) == [(carla.pk, 1, partner_member.pk), (anna.pk, 2, partner_member.pk)]
    assert _field_value(page, carla.pk) == "1"
    assert _field_value(page, anna.pk) == "2"
    assert _field_value(page, bert.pk) is None


def test_ranking_page_shows_each_applicants_own_choices(client, project, cohorts, partner_member):
    anna = StudentFactory(name="Anna de Vries")
    _apply(anna, cohorts[0], choice=4)
    client.force_login(partner_member)

    page = client.get(_page(project)).content.decode()

    assert "Anna de Vries" in page
    assert f"Group {cohorts[0].number}: choice 4" in page
    assert (
        f'<label class="visually-hidden" for="id_rank-{anna.pk}">Rank for Anna de Vries</label>'
        in page
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("2", "2"), "2 students have number 2. Give each a different number."),
        (("1", "first"), "Use a whole number, such as 1 or 2."),
        (("0", "1"), "Use 1 or higher: 1 is the student you take first."),
        (("1", "123456"), "Use a number below 10000."),
    ],
)
def test_ranking_page_bad_input_keeps_what_was_typed(
    client, project, cohorts, partner_member, typed, message
):
    anna, bert = _applicants(cohorts[0], 2)
    applicant_ranking_set(project=project, actor=partner_member, ranked_student_ids=[bert.pk])
    client.force_login(partner_member)

    response = client.post(
        _page(project), {f"rank-{anna.pk}": typed[0], f"rank-{bert.pk}": typed[1]}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Your ranking is not saved." in page
    assert message in page
    assert (_field_value(page, anna.pk), _field_value(page, bert.pk)) == typed
    assert 'aria-invalid="true"' in page
    assert _stored(project) == [(bert.pk, 1, partner_member.pk)]


def test_ranking_page_closed_once_every_group_is_allocated(client, project, partner_member):
    cohort = CohortFactory(
        project=project, admission_mode=AdmissionMode.PREFERENCE, allocated_at=timezone.now()
    )
    (anna,) = _applicants(cohort, 1)
    client.force_login(partner_member)

    page = client.get(_page(project)).content.decode()
    response = client.post(_page(project), {f"rank-{anna.pk}": "1"})

    assert "nothing to rank now" in page
    assert 'name="rank-' not in page
    assert response.status_code == 400
    assert "nothing to rank" in response.content.decode()
    assert ApplicantRank.objects.count() == 0


@pytest.mark.parametrize("outsider", ["student", "other_partner_member", "researcher"])
def test_ranking_page_hidden_from_outsiders(client, request, project, cohorts, outsider):
    (anna,) = _applicants(cohorts[0], 1)
    client.force_login(request.getfixturevalue(outsider))

    assert client.get(_page(project)).status_code == 404
    assert client.post(_page(project), {f"rank-{anna.pk}": "1"}).status_code == 404
    assert ApplicantRank.objects.count() == 0


def test_ranking_page_sends_anonymous_visitors_to_log_in(client, project, cohorts):
    response = client.get(_page(project))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_ranking_page_unknown_project_is_404(client, partner_member):
    client.force_login(partner_member)

    assert (
        client.get(reverse("projects:applicant_ranking", args=["bestaat-niet"])).status_code == 404
    )


@pytest.mark.parametrize("viewer", ["lecturer", "coordinator"])
def test_ranking_page_open_to_lecturers_and_coordinators(
    client, project, cohorts, researcher, coordinator, viewer
):
    project.lecturers.add(researcher)
    (anna,) = _applicants(cohorts[0], 1)
    user = _english(researcher if viewer == "lecturer" else coordinator)
    client.force_login(user)

    response = client.post(_page(project), {f"rank-{anna.pk}": "1"})

    assert response.status_code == 302
    assert _stored(project) == [(anna.pk, 1, user.pk)]


@pytest.mark.parametrize("count", [1, 12])
def test_ranking_page_queries_do_not_grow_with_applicants(
    client, django_assert_num_queries, project, cohorts, partner_member, count
):
    students = _applicants(cohorts[0], count)
    for student in students[::2]:
        _apply(student, cohorts[1], choice=2)
    applicant_ranking_set(
        project=project, actor=partner_member, ranked_student_ids=[s.pk for s in students[:3]]
    )
    client.force_login(partner_member)

    # Session, user, project, the two permission checks, cohorts, ranks, preferences.
    with django_assert_num_queries(8):
        response = client.get(_page(project))

    assert response.content.decode().count('type="number"') == count


def test_team_page_links_to_the_ranking_for_preference_groups(
    client, project, cohorts, partner_member
):
    first_come = CohortFactory(project=project)
    client.force_login(partner_member)

    preference_page = client.get(reverse("projects:team", args=[cohorts[0].pk])).content.decode()
    first_come_page = client.get(reverse("projects:team", args=[first_come.pk])).content.decode()

    assert f'href="{_page(project)}"' in preference_page
    assert _page(project) not in first_come_page


def test_team_page_has_no_ranking_link_for_team_members(client, project, cohorts, student):
    EnrolmentFactory(cohort=cohorts[0], student=student)
    client.force_login(student)

    page = client.get(reverse("projects:team", args=[cohorts[0].pk])).content.decode()

    assert _page(project) not in page
