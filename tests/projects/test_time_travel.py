"""One group's whole life, in process, with the clock moved by hand.

Each step calls the same services the periodic jobs and pages call, with `now`: the
lifecycle job opens and closes registration and starts the group, the reminder scan asks the
team for its handover, the team writes and submits it, the job hands the group over and plans
the next one, reflection and feedback requests go out, the partner approves the dossier (the
group completes and the next team can read it), and six months later the partner is asked
what came of it.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import rules

from outbox.enums import ReminderKind
from outbox.models import Message
from outbox.reminders import reminders_send_due
from projects.enums import CohortState
from projects.models import Cohort, HandoverDossier
from projects.services.enrolment import enrolment_join
from projects.services.handover import dossier_decide, dossier_for, dossier_save, dossier_submit
from projects.services.lifecycle import cohorts_advance
from tests.factories import StudentFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import CohortFactory, ProjectFactory

pytestmark = pytest.mark.integration

S = CohortState
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAY_ONE = datetime(2027, 1, 11, 9, 0, tzinfo=AMSTERDAM)


def at(day, hour=9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=AMSTERDAM)


def subjects(person) -> list[str]:
    return sorted(Message.objects.filter(recipient=person).values_list("subject", flat=True))


def test_one_group_from_registration_to_the_six_month_check_in(db):
    organisation = OrganisationFactory(name="Buurthuis De Kooi", team_budget=2)
    partner = MembershipFactory(
        organisation=organisation, user__name="Petra", user__language="en"
    ).user
    project = ProjectFactory(title="Buurtkamer", organisations=[organisation])
    cohort = CohortFactory(
        project=project,
        number=1,
        state=S.PLANNED,
        registration_opens_at=DAY_ONE,
        registration_closes_at=DAY_ONE + timedelta(days=14),
        starts_on=(DAY_ONE + timedelta(days=21)).date(),
        ends_on=(DAY_ONE + timedelta(days=21 + 55)).date(),
        min_size=2,
        max_size=4,
    )
    anna = StudentFactory(name="Anna", language="en")
    bram = StudentFactory(name="Bram", language="en")

    def state() -> str:
        return Cohort.objects.get(pk=cohort.pk).state

    # Registration opens by date; two students join.
    cohorts_advance(now=DAY_ONE)
    assert state() == S.OPEN
    for student in (anna, bram):
        enrolment_join(cohort_id=cohort.pk, student=student, now=DAY_ONE + timedelta(days=1))

    # It closes, then starts, each on its day.
    cohorts_advance(now=DAY_ONE + timedelta(days=14, hours=1))
    assert state() == S.CLOSED
    cohorts_advance(now=at(cohort.starts_on))
    assert state() == S.RUNNING

    # Two weeks before the end the team is asked for its handover; it writes and submits it.
    reminders_send_due(now=at(cohort.ends_on - timedelta(days=13)))
    assert subjects(anna).count("Buurtkamer: time to write your handover") == 1
    dossier = dossier_for(Cohort.objects.get(pk=cohort.pk))
    dossier = dossier_save(
        dossier_id=dossier.pk,
        actor=anna,
        base_version=dossier.version,
        fields={
            "summary": "Een buurtkamer die twee keer per week open is.",
            "advice": "Begin vroeg.",
        },
        now=at(cohort.ends_on - timedelta(days=5)),
    )
    dossier_submit(dossier_id=dossier.pk, actor=bram, now=at(cohort.ends_on - timedelta(days=2)))

    # The day after the end: handover, and the next group is planned and opens at once.
    after_end = at(cohort.ends_on + timedelta(days=1))
    report = cohorts_advance(now=after_end)
    assert state() == S.HANDOVER
    following = Cohort.objects.get(project=project, number=2)
    assert report.planned == [following.pk]
    assert following.state == S.OPEN

    # Reflection and feedback requests go out once.
    sent = reminders_send_due(now=after_end)
    reminders_send_due(now=after_end + timedelta(hours=6))
    assert (sent[ReminderKind.REFLECTION_REQUEST], sent[ReminderKind.FEEDBACK_REQUEST]) == (2, 1)
    assert "Look back on Buurtkamer" in subjects(anna)
    assert "How did the group of Buurtkamer do?" in subjects(partner)

    # The partner approves the dossier: the group completes; the next team reads it.
    approved_at = after_end + timedelta(days=3)
    dossier_decide(dossier_id=dossier.pk, actor=partner, approve=True, note="", now=approved_at)
    assert state() == S.COMPLETED
    newcomer = StudentFactory(name="Nina", language="en")
    enrolment_join(cohort_id=following.pk, student=newcomer, now=after_end + timedelta(days=4))
    assert rules.has_perm("projects.view_handover", newcomer, HandoverDossier.objects.get())

    # Six months after completion the partner is asked what came of it; once.
    half_year = approved_at + timedelta(days=183)
    first = reminders_send_due(now=half_year)
    second = reminders_send_due(now=half_year + timedelta(days=1))
    assert (first[ReminderKind.IMPACT_CHECK_6], second[ReminderKind.IMPACT_CHECK_6]) == (1, 0)
    assert subjects(partner).count("Buurtkamer: what came of it?") == 1
