"""Students reflect on their group once it has finished its work."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.enums import CohortState, EnrolmentState
from projects.models import Reflection
from projects.services.reflections import (
    AFTERCARE_DAYS,
    ReflectionError,
    ReflectionText,
    reflection_save,
)
from tests.factories import StudentFactory
from tests.projects import reciprocity_scene as scene
from tests.projects.factories import EnrolmentFactory
from tests.projects.reciprocity_scene import ended_cohort, running_cohort
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEXT = ReflectionText(
    learned="Dat luisteren meer oplevert dan vragen.",
    contribution="De bibliotheek weet nu wat ouderen in Noord missen.",
)

# The shared scene's fixtures; pytest finds them by these names.
student = scene.student
library = scene.library
project = scene.project


@pytest.fixture
def place(project, student):
    return EnrolmentFactory(cohort=ended_cohort(project, CohortState.HANDOVER), student=student)


def _save(place, text=TEXT, **extra):
    return reflection_save(enrolment_id=place.pk, student=place.student, text=text, **extra)


def test_reflection_save_writes_then_rewrites_one_reflection(place):
    _save(place)
    _save(place, ReflectionText(learned="Geduld.", contribution="Een plan.", next_time="Eerder."))

    assert list(
        Reflection.objects.values_list("enrolment_id", "learned", "contribution", "next_time")
    ) == [(place.pk, "Geduld.", "Een plan.", "Eerder.")]


def test_reflection_save_for_a_completed_place(project, student):
    place = EnrolmentFactory(
        cohort=ended_cohort(project, CohortState.COMPLETED),
        student=student,
        state=EnrolmentState.COMPLETED,
    )

    assert _save(place).learned == TEXT.learned


def test_reflection_save_refused_while_the_group_runs(project, student):
    place = EnrolmentFactory(
        cohort=running_cohort(project, started_days_ago=7),
        student=student,
    )

    with pytest.raises(ReflectionError) as refused:
        _save(place)

    assert str(refused.value) == (
        "You can write your reflection once the group has finished its work."
    )
    assert Reflection.objects.count() == 0


def test_reflection_save_open_until_thirty_days_after_completion(project, student):
    completed = ended_cohort(
        project,
        CohortState.COMPLETED,
        state_changed_at=timezone.now() - timedelta(days=AFTERCARE_DAYS, hours=-1),
    )
    place = EnrolmentFactory(cohort=completed, student=student)
    _save(place)

    with pytest.raises(ReflectionError) as refused:
        _save(place, now=timezone.now() + timedelta(hours=2))

    assert str(refused.value) == (
        "The group completed more than 30 days ago, so the reflection can no longer be changed."
    )
    assert Reflection.objects.get().learned == TEXT.learned


def test_reflection_save_refused_for_students_who_left(project, student):
    place = EnrolmentFactory(
        cohort=ended_cohort(project, CohortState.HANDOVER),
        student=student,
        state=EnrolmentState.WITHDRAWN,
    )

    with pytest.raises(ReflectionError) as refused:
        _save(place)

    assert str(refused.value) == "Only students who took part in the group write a reflection."


def test_reflection_save_refused_for_another_student(place):
    with pytest.raises(ReflectionError) as refused:
        reflection_save(enrolment_id=place.pk, student=StudentFactory(), text=TEXT)

    assert str(refused.value) == "This registration does not exist."
    assert Reflection.objects.count() == 0


def test_reflection_save_needs_both_answers(place):
    with pytest.raises(ReflectionError):
        _save(place, ReflectionText(learned="  ", contribution="Veel."))

    assert Reflection.objects.count() == 0


# --- The page -----------------------------------------------------------------------------


def test_reflection_page_saves_and_shows_it_again(client, place, student):
    client.force_login(student)
    url = reverse("projects:reflection", args=[place.pk])

    response = client.post(
        url,
        {"learned": TEXT.learned, "contribution": TEXT.contribution, "next_time": ""},
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    assert "Your reflection has been saved." in response.content.decode()
    assert response.context["form"]["learned"].value() == TEXT.learned
    assert Reflection.objects.get().contribution == TEXT.contribution


def test_reflection_page_bad_input_keeps_what_was_typed(client, place, student):
    client.force_login(student)

    response = client.post(
        reverse("projects:reflection", args=[place.pk]),
        {"learned": "Ik leerde plannen met bewoners.", "contribution": ""},
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Ik leerde plannen met bewoners." in text
    assert "This field is required." in text
    assert Reflection.objects.count() == 0


def test_reflection_page_before_the_end_says_when(client, project, student):
    running = running_cohort(project, started_days_ago=7)
    place = EnrolmentFactory(cohort=running, student=student)
    client.force_login(student)

    response = client.post(
        reverse("projects:reflection", args=[place.pk]),
        {"learned": "Te vroeg", "contribution": "Te vroeg"},
    )

    assert response.status_code == 400
    assert "You can write your reflection once the group has finished its work." in (
        response.content.decode()
    )
    assert Reflection.objects.count() == 0


def test_reflection_page_after_the_window_shows_it_read_only(client, project, student):
    completed = ended_cohort(
        project, CohortState.COMPLETED, state_changed_at=timezone.now() - timedelta(days=40)
    )
    place = EnrolmentFactory(cohort=completed, student=student)
    Reflection.objects.create(enrolment=place, learned="Oud inzicht", contribution="Iets")
    client.force_login(student)

    page = client.get(reverse("projects:reflection", args=[place.pk]))

    text = page.content.decode()
    assert "Oud inzicht" in text
    assert "can no longer be changed" in text
    assert 'name="learned"' not in text


def test_reflection_page_is_only_for_the_student(
    client, place, partner_member, other_partner_member, researcher, coordinator
):
    url = reverse("projects:reflection", args=[place.pk])
    data = {"learned": "Niet van mij", "contribution": "Niet van mij"}

    anonymous = client.post(url, data)
    statuses = []
    for person in (StudentFactory(), partner_member, other_partner_member, researcher, coordinator):
        sign_in_for_admin(client, person)
        statuses.append((client.get(url).status_code, client.post(url, data).status_code))

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert statuses == [(404, 404)] * 5
    assert Reflection.objects.count() == 0


def test_reflection_admin_is_read_only_for_coordinators(client, place, coordinator, researcher):
    reflection = _save(place)
    change_url = reverse("admin:projects_reflection_change", args=[reflection.pk])
    sign_in_for_admin(client, coordinator)

    listing = client.get(reverse("admin:projects_reflection_changelist"))
    change = client.get(change_url)
    edit = client.post(change_url, {"learned": "Anders"})
    client.force_login(researcher)
    outsider = client.get(reverse("admin:projects_reflection_changelist"))

    assert "Sanne Student" in listing.content.decode()
    assert TEXT.learned in change.content.decode()
    assert edit.status_code == 403
    assert outsider.status_code == 302
    assert Reflection.objects.get().learned == TEXT.learned
