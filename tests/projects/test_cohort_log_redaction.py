"""Coordinators redact words that name someone from a cohort's history in the admin; staff
who are not coordinators cannot. The full flow is tested on challenges
(tests/partners/test_redaction.py); this checks the cohort's own log and its line."""

import pytest
from django.contrib.auth.models import Permission

from projects.models import CohortLogEntry
from tests.factories import PartnerMemberFactory
from tests.partners.challenge_setup import speaks_english
from tests.projects.factories import CohortFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

HISTORY = "/beheer/projects/cohortlogentry/"
REASON = "Op verzoek van de student."


def redact(client, entries, **fields):
    return client.post(
        HISTORY,
        {"action": "redact_text", "_selected_action": [e.pk for e in entries], **fields},
        follow=True,
    )


@pytest.fixture
def entries():
    cohort = CohortFactory()
    return [
        CohortLogEntry.objects.create(
            cohort=cohort, action="cancel", message="Geannuleerd: Sanne de Wit is ziek."
        ),
        CohortLogEntry.objects.create(cohort=cohort, action="edit", message="Sanne de Wit belde."),
    ]


def test_redact_text_in_a_cohorts_history_replaces_the_words_and_logs_the_reason(
    client, coordinator, entries
):
    sign_in_for_admin(client, speaks_english(coordinator))
    named = entries[0]

    response = redact(client, [named], words="sanne de wit", reason=REASON, apply="1")

    assert [str(m) for m in response.context["messages"]] == ["Text redacted in 1 message."]
    assert list(
        CohortLogEntry.objects.order_by("pk").values_list(
            "actor__name", "action", "message", "data"
        )
    ) == [
        (None, "cancel", "Geannuleerd: [verwijderd] is ziek.", {}),
        (None, "edit", "Sanne de Wit belde.", {}),
        (coordinator.name, "redact", REASON, {"log_entries": [named.pk]}),
    ]


def test_redact_text_in_a_cohorts_history_is_refused_to_staff_who_are_not_coordinators(
    client, entries
):
    staff = speaks_english(PartnerMemberFactory(is_staff=True))
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="projects"))
    sign_in_for_admin(client, staff)

    response = client.post(
        HISTORY,
        {
            "action": "redact_text",
            "_selected_action": [entries[0].pk],
            "words": "Sanne",
            "reason": REASON,
            "apply": "1",
        },
    )

    assert response.status_code == 403
    assert list(CohortLogEntry.objects.order_by("pk").values_list("message", flat=True)) == [
        "Geannuleerd: Sanne de Wit is ziek.",
        "Sanne de Wit belde.",
    ]
