"""Mijn CSL-overzicht: a student's printable record of their CSL work."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from partners.enums import CslLevel
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import HoursEntry, Reflection
from tests.factories import StudentFactory
from tests.projects import reciprocity_scene as scene
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory
from tests.projects.reciprocity_scene import TODAY
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


# The shared scene's fixtures; pytest finds them by these names.
student = scene.student


def _place(
    student,
    *,
    title,
    level=CslLevel.MEDIUM,
    group=CohortState.COMPLETED,
    place=EnrolmentState.MEMBER,
    weeks_ago=10,
):
    start = TODAY - timedelta(weeks=weeks_ago)
    cohort = CohortFactory(
        project=ProjectFactory(title=title, csl_level=level),
        state=group,
        starts_on=start,
        ends_on=start + timedelta(weeks=6),
    )
    return EnrolmentFactory(cohort=cohort, student=student, state=place)


def _hours(place, hours, state=HoursState.CONFIRMED, days=1):
    decided = None if state == HoursState.SUBMITTED else timezone.now()
    return HoursEntry.objects.create(
        enrolment=place,
        worked_on=place.cohort.starts_on + timedelta(days=days),
        hours=Decimal(hours),
        description=f"Werk op dag {days}",
        state=state,
        decided_at=decided,
    )


def _record(client):
    return client.get(reverse("projects:csl-record"))


def _titles(page) -> list[str]:
    return [
        section.find("h2").text for section in page.find_all("section", class_="record__project")
    ]


def test_record_shows_each_project_with_level_dates_hours_and_reflection(client, student):
    reading = _place(student, title="Samen lezen", level=CslLevel.INTENSIVE, weeks_ago=20)
    _hours(reading, "3.5")
    _hours(reading, "2", days=2)
    Reflection.objects.create(
        enrolment=reading, learned="Geduld met bewoners.", contribution="Een leesclub."
    )
    _place(student, title="Samen koken", group=CohortState.RUNNING, weeks_ago=2)
    client.force_login(student)

    page = parse(_record(client).content)

    sections = page.find_all("section", class_="record__project")
    assert _titles(page) == ["Samen lezen", "Samen koken"]
    facts = [dd.text for dd in sections[0].find("dl", class_="facts").find_all("dd")]
    start, end = reading.cohort.starts_on, reading.cohort.ends_on
    assert facts[:2] == ["Intensive", f"{start:%-d %B %Y} to {end:%-d %B %Y}"]
    assert sections[0].find("dd", class_="record__hours").text == "5.5"
    assert "Geduld met bewoners." in sections[0].find("dl", class_="record__reflection").text
    assert sections[1].find("dd", class_="record__hours").text == "0.0"
    assert "No reflection written yet." in sections[1].text


def test_record_counts_exactly_the_confirmed_hours(client, student):
    first = _place(student, title="Samen lezen", weeks_ago=20)
    second = _place(student, title="Samen koken", place=EnrolmentState.COMPLETED)
    _hours(first, "4")
    _hours(first, "1.5", days=2)
    _hours(first, "8", HoursState.SUBMITTED, days=3)
    _hours(second, "2.5")
    _hours(second, "6", HoursState.DISPUTED, days=2)
    # Someone else's confirmed hours in the same group count for them, not for this student.
    _hours(EnrolmentFactory(cohort=second.cohort), "10")
    client.force_login(student)

    response = _record(client)
    page = parse(response.content)

    assert response.context["total_confirmed"] == Decimal("8.0")
    assert page.find("dd", class_="record__total").text == "8.0"
    assert [dd.text for dd in page.find_all("dd", class_="record__hours")] == ["5.5", "2.5"]


def test_record_leaves_out_what_did_not_happen(client, student):
    _place(student, title="Samen lezen")
    _place(student, title="Afgemeld", place=EnrolmentState.WITHDRAWN)
    _place(student, title="Wachtlijst", place=EnrolmentState.WAITLISTED)
    _place(student, title="Afgelast", group=CohortState.CANCELLED)
    _place(student, title="Nog niet begonnen", group=CohortState.OPEN, weeks_ago=-3)
    _place(StudentFactory(), title="Van een ander")
    client.force_login(student)

    assert _titles(parse(_record(client).content)) == ["Samen lezen"]


def test_record_links_a_print_stylesheet_and_explains_printing(client, student):
    client.force_login(student)

    page = parse(_record(client).content)

    stylesheets = [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
    assert "/static/css/csl-record.css" in stylesheets
    assert "@media print" in Path(finders.find("css/csl-record.css")).read_text(encoding="utf-8")
    hint = page.find("div", class_="record__hint")
    assert "no-print" in hint.attrs["class"].split()
    assert "use your browser's print command" in hint.text


def test_record_is_only_for_students(client, partner_member, researcher, coordinator):
    anonymous = _record(client)
    statuses = []
    for person in (partner_member, researcher, coordinator):
        client.force_login(person)
        statuses.append(_record(client).status_code)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert statuses == [404, 404, 404]


@pytest.mark.parametrize("count", [1, 8])
def test_record_queries_do_not_grow_with_projects(
    client, student, count, django_assert_num_queries
):
    for number in range(count):
        place = _place(student, title=f"Project {number}", weeks_ago=10 + number)
        _hours(place, "2")
        Reflection.objects.create(enrolment=place, learned="Veel", contribution="Iets")
    client.force_login(student)

    with django_assert_num_queries(6):
        page = parse(_record(client).content)

    assert len(_titles(page)) == count


def test_record_hours_and_reflection_are_linked_for_the_student(client, student):
    place = _place(student, title="Samen lezen", group=CohortState.HANDOVER)
    client.force_login(student)

    mine = client.get(reverse("projects:mine")).content.decode()
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()

    for name, args in [
        ("projects:hours", [place.pk]),
        ("projects:reflection", [place.pk]),
        ("projects:csl-record", []),
    ]:
        assert f'href="{reverse(name, args=args)}"' in mine
    assert f'href="{reverse("projects:csl-record")}"' in dashboard
    assert f'href="{reverse("projects:todo")}"' not in dashboard
