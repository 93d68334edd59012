import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.enums import AdmissionMode
from projects.enums import EnrolmentState as E
from projects.models import CohortPreference, Enrolment
from tests.factories import StudentFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture
def student(student):
    student.language = "en"
    student.save(update_fields=["language"])
    return student


def test_join_then_see_it_under_my_projects(client, student):
    cohort = CohortFactory(project__title="Samen koken")
    client.force_login(student)

    response = client.post(reverse("projects:join", args=[cohort.pk]), follow=True)

    assert response.redirect_chain == [(reverse("projects:mine"), 302)]
    page = response.content.decode()
    assert "You have a place in this group. Welcome!" in page
    assert "Samen koken" in page
    assert Enrolment.objects.get(student=student).state == E.MEMBER


def test_full_group_tells_the_waitlist_position(client, student):
    cohort = CohortFactory(max_size=1)
    EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, state=E.WAITLISTED)
    client.force_login(student)

    response = client.post(reverse("projects:join", args=[cohort.pk]), follow=True)

    assert "you are on the waiting list, number 2." in response.content.decode()


def test_refused_join_says_why_on_the_project_page(client, researcher):
    cohort = CohortFactory()
    client.force_login(researcher)

    response = client.post(reverse("projects:join", args=[cohort.pk]))

    assert response.status_code == 302
    assert response.url == cohort.project.get_absolute_url()
    assert Enrolment.objects.count() == 0


def test_withdraw_from_my_projects_promotes_the_next(client, student):
    cohort = CohortFactory(max_size=1)
    mine = EnrolmentFactory(cohort=cohort, student=student)
    waiting = EnrolmentFactory(cohort=cohort, state=E.WAITLISTED)
    client.force_login(student)

    response = client.post(reverse("projects:withdraw", args=[mine.pk]), follow=True)

    assert "You have left the group." in response.content.decode()
    assert Enrolment.objects.get(pk=waiting.pk).state == E.MEMBER


def test_nobody_withdraws_someone_else(client, student):
    theirs = EnrolmentFactory()
    client.force_login(student)

    assert client.post(reverse("projects:withdraw", args=[theirs.pk])).status_code == 404
    assert Enrolment.objects.get(pk=theirs.pk).state == E.MEMBER


def test_ranking_page_saves_and_keeps_choices(client, student):
    first, second = CohortFactory.create_batch(2, admission_mode=AdmissionMode.PREFERENCE)
    client.force_login(student)

    client.post(reverse("projects:rank"), {f"rank-{first.pk}": "2", f"rank-{second.pk}": "1"})
    page = client.get(reverse("projects:rank"))

    assert list(CohortPreference.objects.values_list("cohort_id", "rank")) == [
        (second.pk, 1),
        (first.pk, 2),
    ]
    assert [(cohort.pk, value) for cohort, value in page.context["rows"]] == [
        (first.pk, 2),
        (second.pk, 1),
    ]


def test_ranking_bad_input_keeps_what_was_typed(client, student):
    cohort = CohortFactory(admission_mode=AdmissionMode.PREFERENCE)
    client.force_login(student)

    response = client.post(reverse("projects:rank"), {f"rank-{cohort.pk}": "eerste"})

    assert response.status_code == 200
    assert [(c.pk, v) for c, v in response.context["rows"]] == [(cohort.pk, "eerste")]
    assert CohortPreference.objects.count() == 0


def test_team_page_shows_the_roster_to_the_team_only(
    client, student, other_partner_member, researcher
):
    cohort = CohortFactory()
    EnrolmentFactory(cohort=cohort, student=student)
    teammate = EnrolmentFactory(cohort=cohort).student
    url = reverse("projects:team", args=[cohort.pk])

    client.force_login(student)
    page = client.get(url).content.decode()
    assert teammate.email in page

    for outsider in (other_partner_member, researcher, StudentFactory()):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_waitlisted_student_does_not_see_the_team(client, student):
    cohort = CohortFactory(max_size=1)
    EnrolmentFactory(cohort=cohort)
    EnrolmentFactory(cohort=cohort, student=student, state=E.WAITLISTED)
    client.force_login(student)

    assert client.get(reverse("projects:team", args=[cohort.pk])).status_code == 404


def test_partner_decides_applications_on_the_team_page(client, partner_member):
    cohort = CohortFactory(admission_mode=AdmissionMode.APPLICATION)
    cohort.project.organisations.first().memberships.create(user=partner_member)
    application = EnrolmentFactory(cohort=cohort, state=E.APPLIED, motivation="Ik help graag.")
    client.force_login(partner_member)

    page = client.get(reverse("projects:team", args=[cohort.pk])).content.decode()
    client.post(reverse("projects:decide", args=[application.pk]), {"decision": "admit"})

    assert "Ik help graag." in page
    assert Enrolment.objects.get(pk=application.pk).state == E.MEMBER


def test_outsiders_cannot_decide(client, other_partner_member):
    application = EnrolmentFactory(
        cohort__admission_mode=AdmissionMode.APPLICATION, state=E.APPLIED
    )
    client.force_login(other_partner_member)

    assert (
        client.post(
            reverse("projects:decide", args=[application.pk]), {"decision": "admit"}
        ).status_code
        == 404
    )
    assert Enrolment.objects.get(pk=application.pk).state == E.APPLIED


@pytest.mark.parametrize(
    "name_and_args",
    [
        ("projects:mine", []),
        ("projects:rank", []),
        ("projects:team", [1]),
        ("projects:join", [1]),
        ("projects:withdraw", [1]),
        ("projects:decide", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_login(client, name_and_args):
    name, args = name_and_args
    response = (
        client.post(reverse(name, args=args))
        if name in ("projects:join", "projects:withdraw", "projects:decide")
        else client.get(reverse(name, args=args))
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_my_projects_runs_the_same_queries_for_1_and_10_enrolments(client, student):
    client.force_login(student)
    EnrolmentFactory(student=student, state=E.WAITLISTED)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("projects:mine"))
    for state in [E.MEMBER, E.WAITLISTED, E.APPLIED, E.WITHDRAWN] * 2 + [E.WAITLISTED]:
        EnrolmentFactory(student=student, state=state)
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("projects:mine"))

    assert len(one) == len(ten)
