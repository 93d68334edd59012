"""A group's reminders, from registration to a year after: who gets which, and only once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.enums import Role
from outbox.enums import MessageKind, ReminderKind
from outbox.models import Message, OptOut
from outbox.reminders import digest_week, reminders_send_due
from partners.enums import ChallengeState
from projects.enums import CohortState, EnrolmentState
from projects.models import PartnerFeedback, Reflection
from tests.factories import ResearcherFactory, StudentFactory, ThemeFactory, UserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import (
    ChallengeFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.integration

S = CohortState
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A Wednesday at noon, far from any digest boundary.
NOW = datetime(2027, 3, 10, 12, 0, tzinfo=AMSTERDAM)
TODAY = NOW.date()


@pytest.fixture
def people(db):
    organisation = OrganisationFactory(name="Buurthuis De Kooi")
    partner = MembershipFactory(
        organisation=organisation, user__name="Petra", user__language="en"
    ).user
    lecturer = ResearcherFactory(name="Lars", language="en")
    project = ProjectFactory(title="Buurtkamer", organisations=[organisation])
    project.lecturers.add(lecturer)
    student = StudentFactory(name="Sam", language="en")
    waiting = StudentFactory(name="Wim", language="en")
    return {
        "organisation": organisation,
        "partner": partner,
        "lecturer": lecturer,
        "project": project,
        "student": student,
        "waiting": waiting,
    }


def group(people, **fields):
    cohort = CohortFactory(project=people["project"], **fields)
    EnrolmentFactory(cohort=cohort, student=people["student"])
    EnrolmentFactory(cohort=cohort, student=people["waiting"], state=EnrolmentState.WAITLISTED)
    return cohort


def mail(*persons) -> dict[str, list[str]]:
    return {
        person.name: sorted(
            Message.objects.filter(recipient=person).values_list("subject", flat=True)
        )
        for person in persons
    }


def everyone(people):
    return (people["student"], people["waiting"], people["partner"], people["lecturer"])


def test_lecturer_and_partner_hear_that_registration_closes_soon(people):
    group(
        people,
        state=S.OPEN,
        registration_opens_at=NOW - timedelta(days=20),
        registration_closes_at=NOW + timedelta(hours=30),
    )

    reminders_send_due(now=NOW)
    reminders_send_due(now=NOW + timedelta(hours=1))

    closing = ["Registration for Buurtkamer closes soon"]
    assert mail(*everyone(people)) == {"Sam": [], "Wim": [], "Petra": closing, "Lars": closing}


def test_the_whole_group_hears_it_starts_soon(people):
    group(
        people,
        state=S.CLOSED,
        registration_opens_at=NOW - timedelta(days=20),
        registration_closes_at=NOW - timedelta(days=2),
        starts_on=TODAY + timedelta(days=2),
        ends_on=TODAY + timedelta(days=2, weeks=8),
    )

    reminders_send_due(now=NOW)

    starting = ["Buurtkamer starts soon"]
    assert mail(*everyone(people)) == {
        "Sam": starting,
        "Wim": [],
        "Petra": starting,
        "Lars": starting,
    }


def test_the_team_is_asked_for_its_handover_two_weeks_before_the_end(people):
    running = {
        "state": S.RUNNING,
        "registration_opens_at": NOW - timedelta(days=80),
        "registration_closes_at": NOW - timedelta(days=60),
    }
    group(
        people, starts_on=TODAY - timedelta(weeks=6), ends_on=TODAY + timedelta(days=13), **running
    )

    reminders_send_due(now=NOW)
    reminders_send_due(now=NOW + timedelta(days=1))

    assert mail(*everyone(people)) == {
        "Sam": ["Buurtkamer: time to write your handover"],
        "Wim": [],
        "Petra": [],
        "Lars": [],
    }


def ended(people, *, state=S.HANDOVER, days_ago=1):
    ends_on = TODAY - timedelta(days=days_ago)
    return group(
        people,
        state=state,
        registration_opens_at=NOW - timedelta(days=days_ago + 90),
        registration_closes_at=NOW - timedelta(days=days_ago + 80),
        starts_on=ends_on - timedelta(weeks=8),
        ends_on=ends_on,
    )


def test_after_the_end_students_reflect_and_the_partner_gives_feedback(people):
    ended(people)

    reminders_send_due(now=NOW)

    assert mail(*everyone(people)) == {
        "Sam": ["Look back on Buurtkamer"],
        "Wim": [],
        "Petra": ["How did the group of Buurtkamer do?"],
        "Lars": [],
    }


def test_who_already_reflected_or_gave_feedback_is_not_asked(people):
    cohort = ended(people)
    Reflection.objects.create(
        enrolment=cohort.enrolments.get(student=people["student"]),
        learned="Veel",
        contribution="Een plek om elkaar te zien",
    )
    PartnerFeedback.objects.create(
        cohort=cohort,
        organisation=people["organisation"],
        author=people["partner"],
        rating=4,
        went_well="Betrokken studenten",
    )

    reminders_send_due(now=NOW)

    assert Message.objects.count() == 0


def test_requests_more_overdue_than_the_grace_period_are_not_sent(people, settings):
    ended(people, days_ago=settings.REMINDER_GRACE_DAYS + 1)

    reminders_send_due(now=NOW)

    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("months", "kind"), [(6, ReminderKind.IMPACT_CHECK_6), (12, ReminderKind.IMPACT_CHECK_12)]
)
def test_the_partner_is_asked_what_came_of_it_after_six_and_twelve_months(people, months, kind):
    cohort = ended(people, state=S.COMPLETED, days_ago=400)
    completed = NOW - timedelta(days=months * 31)
    type(cohort).objects.filter(pk=cohort.pk).update(state_changed_at=completed)

    sent = reminders_send_due(now=NOW)

    assert sent[kind] == 1
    assert mail(people["partner"]) == {"Petra": ["Buurtkamer: what came of it?"]}
    assert f"{months} months ago" in Message.objects.get().body_text


def test_students_get_new_projects_on_their_themes_once_a_week(db):
    eenzaamheid = ThemeFactory(slug="eenzaamheid", name="Eenzaamheid")
    wonen = ThemeFactory(slug="wonen", name="Wonen")
    monday = datetime(2027, 3, 15, 9, 0, tzinfo=AMSTERDAM)
    project = ProjectFactory(
        title="Samen eten", themes=[eenzaamheid], created_at=monday - timedelta(days=3)
    )
    CohortFactory(project=project, state=S.OPEN)
    fits = StudentFactory(name="Fits", language="en")
    fits.student_profile.themes.add(eenzaamheid)
    other = StudentFactory(name="Other", language="en")
    other.student_profile.themes.add(wonen)
    opted_out = StudentFactory(name="Out", language="en")
    opted_out.student_profile.themes.add(eenzaamheid)
    OptOut.objects.create(user=opted_out, kind=MessageKind.NEW_PROJECTS_DIGEST)

    before = reminders_send_due(now=monday - timedelta(hours=2))
    reminders_send_due(now=monday)
    reminders_send_due(now=monday + timedelta(days=2))

    assert before[ReminderKind.NEW_PROJECTS_DIGEST] == 0
    assert mail(fits, other, opted_out) == {
        "Fits": ["New projects on your themes"],
        "Other": [],
        "Out": [],
    }
    assert "Samen eten" in Message.objects.get(recipient=fits).body_text


def test_digest_week_starts_on_monday_at_eight():
    sunday = datetime(2027, 3, 14, 23, 0, tzinfo=AMSTERDAM)
    monday = datetime(2027, 3, 15, 8, 0, tzinfo=AMSTERDAM)

    assert digest_week(sunday)[0] == "week:2027-W10"
    assert digest_week(monday) == (
        "week:2027-W11",
        monday - timedelta(days=7),
        monday,
    )


def test_coordinators_get_the_review_digest_only_when_challenges_wait(db):
    coordinator = UserFactory(role=Role.COORDINATOR, is_staff=True, name="Cora", language="en")
    monday = datetime(2027, 3, 15, 9, 0, tzinfo=AMSTERDAM)

    quiet = reminders_send_due(now=monday)
    ChallengeFactory(state=ChallengeState.SUBMITTED, title="Eenzaamheid in Noord")
    ChallengeFactory(state=ChallengeState.IN_REVIEW, title="Taal in de wijk")
    busy = reminders_send_due(now=monday + timedelta(hours=1))
    again = reminders_send_due(now=monday + timedelta(days=1))

    assert (quiet[ReminderKind.REVIEW_DIGEST], busy[ReminderKind.REVIEW_DIGEST]) == (0, 1)
    assert again[ReminderKind.REVIEW_DIGEST] == 0
    assert mail(coordinator) == {"Cora": ["2 challenges wait for review"]}
    assert "Eenzaamheid in Noord" in Message.objects.get(recipient=coordinator).body_text
