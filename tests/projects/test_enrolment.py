import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.models import StudentProfile
from outbox.models import Message
from partners.enums import CslLevel
from projects.enums import AdmissionMode, CohortState
from projects.enums import EnrolmentState as E
from projects.models import CohortPreference, Enrolment
from projects.services.enrolment import (
    enrolment_decide,
    enrolment_join,
    enrolment_withdraw,
    waitlist_position,
)
from projects.services.errors import EnrolmentError
from projects.services.preferences import preferences_set
from tests.factories import InstitutionFactory, StudentFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def refused(message: str):
    return pytest.raises(EnrolmentError, match=re.escape(message))


def test_join_gives_a_place_and_mails_the_student(student):
    cohort = CohortFactory()

    enrolment = enrolment_join(cohort_id=cohort.pk, student=student)

    assert enrolment.state == E.MEMBER
    assert list(Message.objects.values_list("to_email", "kind")) == [
        (student.email, "project_updates")
    ]


def test_full_cohort_puts_students_on_the_waitlist_in_order():
    cohort = CohortFactory(max_size=2)
    students = StudentFactory.create_batch(4)

    enrolments = [enrolment_join(cohort_id=cohort.pk, student=s) for s in students]

    assert [e.state for e in enrolments] == [E.MEMBER, E.MEMBER, E.WAITLISTED, E.WAITLISTED]
    assert [waitlist_position(e) for e in enrolments] == [None, None, 1, 2]


def test_withdrawal_promotes_the_next_in_line_and_tells_them():
    cohort = CohortFactory(max_size=1)
    first, second, third = StudentFactory.create_batch(3)
    place = enrolment_join(cohort_id=cohort.pk, student=first)
    enrolment_join(cohort_id=cohort.pk, student=second)
    enrolment_join(cohort_id=cohort.pk, student=third)
    Message.objects.all().delete()

    enrolment_withdraw(enrolment_id=place.pk, student=first)

    states = dict(Enrolment.objects.values_list("student__email", "state"))
    assert states == {first.email: E.WITHDRAWN, second.email: E.MEMBER, third.email: E.WAITLISTED}
    assert sorted(Message.objects.values_list("to_email", flat=True)) == sorted(
        [first.email, second.email]
    )
    assert waitlist_position(Enrolment.objects.get(student=third)) == 1


def test_promotion_skips_a_waiting_student_who_became_ineligible():
    cohort = CohortFactory(max_size=1, project__csl_level=CslLevel.INTENSIVE)
    first, busy, free = StudentFactory.create_batch(3)
    place = enrolment_join(cohort_id=cohort.pk, student=first)
    enrolment_join(cohort_id=cohort.pk, student=busy)
    enrolment_join(cohort_id=cohort.pk, student=free)
    overlapping = CohortFactory(project__csl_level=CslLevel.INTENSIVE, starts_on=cohort.starts_on)
    enrolment_join(cohort_id=overlapping.pk, student=busy)

    enrolment_withdraw(enrolment_id=place.pk, student=first)

    assert Enrolment.objects.get(cohort=cohort, student=free).state == E.MEMBER
    assert Enrolment.objects.get(cohort=cohort, student=busy).state == E.WAITLISTED


def test_second_enrolment_is_refused(student):
    cohort = CohortFactory()
    enrolment_join(cohort_id=cohort.pk, student=student)

    with refused("You are already registered for this group: Member."):
        enrolment_join(cohort_id=cohort.pk, student=student)


def test_enrolment_is_unique_per_student_and_cohort_in_the_database(student):
    enrolment = EnrolmentFactory(student=student)

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(cohort=enrolment.cohort, student=student, state=E.WAITLISTED)


def test_withdrawn_student_may_join_again_at_the_back_of_the_queue(student):
    cohort = CohortFactory(max_size=1)
    place = enrolment_join(cohort_id=cohort.pk, student=student)
    enrolment_withdraw(enrolment_id=place.pk, student=student)
    enrolment_join(cohort_id=cohort.pk, student=StudentFactory())

    again = enrolment_join(cohort_id=cohort.pk, student=student)

    assert (again.pk, again.state) == (place.pk, E.WAITLISTED)


def test_withdrawing_twice_is_refused(student):
    place = enrolment_join(cohort_id=CohortFactory().pk, student=student)
    enrolment_withdraw(enrolment_id=place.pk, student=student)

    with refused("You have already left this group."):
        enrolment_withdraw(enrolment_id=place.pk, student=student)


def test_another_students_enrolment_cannot_be_withdrawn(student):
    place = EnrolmentFactory()

    with refused("This registration does not exist."):
        enrolment_withdraw(enrolment_id=place.pk, student=student)
    assert Enrolment.objects.get(pk=place.pk).state == E.MEMBER


@pytest.mark.parametrize(
    ("cohort_fields", "message"),
    [
        ({"state": CohortState.PLANNED}, "Registration for this group is not open."),
        ({"state": CohortState.CLOSED}, "Registration for this group is not open."),
        (
            {"registration_closes_at": timezone.now() - timedelta(hours=1),
             "registration_opens_at": timezone.now() - timedelta(days=3)},
            "Registration for this group is not open.",
        ),
        (
            {"admission_mode": AdmissionMode.PREFERENCE},
            "For this group you rank your preferences instead of joining.",
        ),
    ],
)  # fmt: skip
def test_join_outside_an_open_window_is_refused(student, cohort_fields, message):
    cohort = CohortFactory(**cohort_fields)

    with refused(message):
        enrolment_join(cohort_id=cohort.pk, student=student)
    assert Enrolment.objects.count() == 0


def test_students_of_another_type_of_education_are_refused():
    mbo_student = StudentFactory(profile__institution=InstitutionFactory(kind="mbo"))
    cohort = CohortFactory(project__institution_kinds=["hbo", "wo"])

    with refused("This project is not open to students of your type of education."):
        enrolment_join(cohort_id=cohort.pk, student=mbo_student)


def test_student_without_institution_is_asked_to_complete_the_profile(student):
    StudentProfile.objects.filter(user=student).update(institution=None, level="")

    with refused("Fill in your school or university in your profile first."):
        enrolment_join(cohort_id=CohortFactory().pk, student=student)


def test_non_students_cannot_join(researcher):
    with refused("Only students can join projects."):
        enrolment_join(cohort_id=CohortFactory().pk, student=researcher)


def test_vog_must_be_confirmed_for_vulnerable_residents(student):
    cohort = CohortFactory(project__works_with_vulnerable_residents=True)

    with refused("confirm that you have or will request a certificate of conduct (VOG)"):
        enrolment_join(cohort_id=cohort.pk, student=student)
    enrolment = enrolment_join(cohort_id=cohort.pk, student=student, vog_confirmed=True)

    assert enrolment.vog_confirmed is True


def test_two_overlapping_intensive_cohorts_are_refused(student):
    first = CohortFactory(project__csl_level=CslLevel.INTENSIVE, project__title="Eerste")
    second = CohortFactory(
        project__csl_level=CslLevel.INTENSIVE, starts_on=first.starts_on + timedelta(weeks=2)
    )
    enrolment_join(cohort_id=first.pk, student=student)

    with refused("You already take part in the intensive project Eerste at the same time."):
        enrolment_join(cohort_id=second.pk, student=student)


def test_intensive_cohorts_after_each_other_are_fine(student):
    first = CohortFactory(project__csl_level=CslLevel.INTENSIVE)
    later = CohortFactory(
        project__csl_level=CslLevel.INTENSIVE, starts_on=first.ends_on + timedelta(days=1)
    )
    enrolment_join(cohort_id=first.pk, student=student)

    assert enrolment_join(cohort_id=later.pk, student=student).state == E.MEMBER


def test_application_needs_motivation_and_a_decision(student, partner_member):
    cohort = CohortFactory(admission_mode=AdmissionMode.APPLICATION, max_size=1)
    cohort.project.organisations.first().memberships.create(user=partner_member)

    with refused("Write a short motivation"):
        enrolment_join(cohort_id=cohort.pk, student=student)
    application = enrolment_join(cohort_id=cohort.pk, student=student, motivation="Ik wil helpen.")
    assert application.state == E.APPLIED

    decided = enrolment_decide(enrolment_id=application.pk, decider=partner_member, admit=True)
    assert (decided.state, decided.decided_by) == (E.MEMBER, partner_member)
    with refused("This application has already been decided: Member."):
        enrolment_decide(enrolment_id=application.pk, decider=partner_member, admit=False)


def test_admitting_into_a_full_group_is_refused(partner_member):
    cohort = CohortFactory(admission_mode=AdmissionMode.APPLICATION, max_size=1)
    cohort.project.organisations.first().memberships.create(user=partner_member)
    EnrolmentFactory(cohort=cohort)
    application = EnrolmentFactory(cohort=cohort, state=E.APPLIED)

    with refused("The group is full."):
        enrolment_decide(enrolment_id=application.pk, decider=partner_member, admit=True)


def test_outsiders_cannot_decide_applications(other_partner_member, student):
    application = EnrolmentFactory(
        cohort__admission_mode=AdmissionMode.APPLICATION, state=E.APPLIED
    )

    for outsider in (other_partner_member, student):
        with refused("Only the project's teachers and partner can decide on applications."):
            enrolment_decide(enrolment_id=application.pk, decider=outsider, admit=True)


def test_lecturer_decides_applications(researcher):
    application = EnrolmentFactory(
        cohort__admission_mode=AdmissionMode.APPLICATION, state=E.APPLIED
    )
    application.cohort.project.lecturers.add(researcher)

    assert (
        enrolment_decide(enrolment_id=application.pk, decider=researcher, admit=False).state
        == E.REJECTED
    )


def test_preferences_are_ranked_within_the_limit(student, settings):
    settings.PREFERENCE_MAX_CHOICES = 2
    cohorts = CohortFactory.create_batch(3, admission_mode=AdmissionMode.PREFERENCE)

    with refused("You can choose at most 2 groups."):
        preferences_set(student=student, ranked_cohort_ids=[c.pk for c in cohorts])
    preferences_set(student=student, ranked_cohort_ids=[cohorts[2].pk, cohorts[0].pk])

    assert list(CohortPreference.objects.values_list("cohort_id", "rank")) == [
        (cohorts[2].pk, 1),
        (cohorts[0].pk, 2),
    ]


def test_preferences_only_for_open_preference_cohorts(student):
    first_come = CohortFactory()

    with refused("One of the groups you chose is not open for ranking."):
        preferences_set(student=student, ranked_cohort_ids=[first_come.pk])


def test_project_for_one_level_only_refuses_others():
    cohort = CohortFactory(project=ProjectFactory(institution_kinds=["mbo"]))

    with refused("This project is not open to students of your type of education."):
        enrolment_join(cohort_id=cohort.pk, student=StudentFactory())
