"""The reminder sent-log and the pauses of reminder kinds, in the admin: coordinators only."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from outbox.enums import MessageKind, MessageStatus, ReminderKind
from outbox.models import Message, Reminder, ReminderPause
from outbox.reminders import Due, reminder_send
from outbox.services import opt_out_create
from tests.factories import UserFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

REMINDERS = "/beheer/outbox/reminder/"
PAUSES = "/beheer/outbox/reminderpause/"
NON_STAFF = ["student", "partner_member", "other_partner_member", "researcher"]


@pytest.fixture(autouse=True)
def _templates(mail_templates):
    """The reminders here are rendered from the outbox's test templates."""


@pytest.fixture
def coordinator_in_english(coordinator):
    # The notices and labels asserted below are our English msgids.
    coordinator.language = "en"
    coordinator.save(update_fields=["language"])
    return coordinator


@pytest.fixture
def staff_with_all_outbox_permissions(db):
    """Staff who may do anything with the outbox's models, but are not coordinators."""
    staff = UserFactory(is_staff=True, email="staf@lerenmetdestad.nl")
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="outbox"))
    return staff


def remind(person, *, kind=ReminderKind.EVENT_SOON, subject="event:1"):
    due = Due(
        kind=kind,
        subject=subject,
        recipient=person,
        template_prefix="outbox_tests/greeting",
        context={"note": "Morgen is het zover."},
    )
    return reminder_send(due=due, now=timezone.now())


def listed(response) -> list[tuple[str, str, str]]:
    return [(r.kind, r.subject, r.recipient.email) for r in response.context["cl"].result_list]


# --- The sent-log -----------------------------------------------------------------------


def test_admin_reminder_log_shows_every_reminder_with_its_email(
    client, coordinator_in_english, student, researcher
):
    sent = remind(student)
    opt_out_create(user=researcher, kind=MessageKind.REMINDERS)
    remind(researcher, kind=ReminderKind.COHORT_STARTING, subject="cohort:7")
    sign_in_for_admin(client, coordinator_in_english)

    response = client.get(REMINDERS)

    assert response.status_code == 200
    assert listed(response) == [
        ("cohort_starting", "cohort:7", "rachid@leidenuniv.nl"),
        ("event_soon", "event:1", "sanne@student.hsleiden.nl"),
    ]
    page = response.content.decode()
    assert f'<a href="/beheer/outbox/message/{sent.message_id}/change/">Queued</a>' in page
    assert "none: the recipient had switched reminders off" in page
    assert "kind__exact=event_soon" in page
    assert '<option value="resend">' in page


def test_admin_reminder_log_filters_by_kind_and_searches(client, coordinator, student, researcher):
    remind(student)
    remind(researcher, kind=ReminderKind.COHORT_STARTING, subject="cohort:7")
    sign_in_for_admin(client, coordinator)

    by_kind = client.get(REMINDERS, {"kind__exact": "cohort_starting"})
    by_person = client.get(REMINDERS, {"q": "sanne@"})

    assert listed(by_kind) == [("cohort_starting", "cohort:7", "rachid@leidenuniv.nl")]
    assert listed(by_person) == [("event_soon", "event:1", "sanne@student.hsleiden.nl")]


def test_admin_reminder_log_queries_do_not_grow_with_rows(client, coordinator):
    sign_in_for_admin(client, coordinator)
    remind(UserFactory())
    with CaptureQueriesContext(connection) as one_row:
        client.get(REMINDERS)
    for number, person in enumerate(UserFactory.create_batch(9), start=2):
        remind(person, subject=f"event:{number}")

    with CaptureQueriesContext(connection) as ten_rows:
        response = client.get(REMINDERS)

    assert len(response.context["cl"].result_list) == 10
    assert len(ten_rows) == len(one_row)


def test_admin_reminder_log_is_read_only(client, coordinator, student):
    reminder = remind(student)
    sign_in_for_admin(client, coordinator)
    url = f"{REMINDERS}{reminder.pk}/change/"

    page = client.get(url)
    changed = client.post(url, {"subject": "event:2"})
    deleted = client.post(f"{REMINDERS}{reminder.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="subject"' not in page.content.decode()
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert client.get(f"{REMINDERS}add/").status_code == 403
    assert list(Reminder.objects.values_list("subject", flat=True)) == ["event:1"]


def test_admin_reminder_resend_copies_the_email_and_skips_reminders_without_one(
    client, coordinator_in_english, student, researcher
):
    reminder = remind(student)
    Message.objects.filter(pk=reminder.message_id).update(
        status=MessageStatus.SENT, attempts=1, sent_at=timezone.now()
    )
    opt_out_create(user=researcher, kind=MessageKind.REMINDERS)
    without_email = remind(researcher, subject="event:2")
    sign_in_for_admin(client, coordinator_in_english)

    response = client.post(
        REMINDERS,
        {"action": "resend", "_selected_action": [reminder.pk, without_email.pk]},
        follow=True,
    )

    copy = Message.objects.get(resend_of=reminder.message_id)
    assert (copy.to_email, copy.status) == ("sanne@student.hsleiden.nl", "queued")
    assert copy.message_id != reminder.message.message_id
    assert [str(m) for m in response.context["messages"]] == [
        "1 email queued again as a new email."
    ]
    # The sent-log is unchanged: the reminder itself was sent once.
    assert Reminder.objects.count() == 2


@pytest.mark.parametrize("role", NON_STAFF)
def test_admin_reminder_log_sends_people_who_are_not_staff_to_the_login(client, role, request):
    sign_in_for_admin(client, request.getfixturevalue(role))

    for url in (REMINDERS, PAUSES, f"{PAUSES}add/"):
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, "/beheer/login/")


def test_admin_reminder_log_sends_anonymous_visitors_to_the_login(client):
    for url in (REMINDERS, PAUSES):
        response = client.get(url)
        assert (response.status_code, response.url.split("?")[0]) == (302, "/beheer/login/")


def test_admin_reminder_log_refuses_staff_who_are_not_coordinators(
    client, staff_with_all_outbox_permissions, student
):
    reminder = remind(student)
    sign_in_for_admin(client, staff_with_all_outbox_permissions)

    assert client.get(REMINDERS).status_code == 403
    assert client.get(f"{REMINDERS}{reminder.pk}/change/").status_code == 403
    response = client.post(REMINDERS, {"action": "resend", "_selected_action": [reminder.pk]})
    assert response.status_code == 403
    assert Message.objects.count() == 1


# --- Pauses -----------------------------------------------------------------------------


def test_admin_pause_a_coordinator_pauses_a_kind_and_sees_it_listed(client, coordinator_in_english):
    sign_in_for_admin(client, coordinator_in_english)

    response = client.post(f"{PAUSES}add/", {"kind": "handover_due"})

    assert (response.status_code, response.url) == (302, PAUSES)
    pause = ReminderPause.objects.get()
    assert (pause.kind, pause.paused_by) == ("handover_due", coordinator_in_english)
    listing = client.get(PAUSES)
    with translation.override("en"):
        kinds = [p.get_kind_display() for p in listing.context["cl"].result_list]
    assert kinds == ["Group: write the handover"]


def test_admin_pause_of_a_kind_already_paused_is_shown_again_with_the_error(
    client, coordinator_in_english, coordinator
):
    ReminderPause.objects.create(kind=ReminderKind.EVENT_SOON, paused_by=coordinator)
    sign_in_for_admin(client, coordinator_in_english)

    response = client.post(f"{PAUSES}add/", {"kind": "event_soon"})

    assert response.status_code == 200
    assert "Paused reminder with this Kind already exists." in response.content.decode()
    form = response.context["adminform"].form
    assert (list(form.errors), form["kind"].value()) == (["kind"], "event_soon")
    assert ReminderPause.objects.count() == 1


def test_admin_pause_unknown_kind_is_shown_again_with_the_error(client, coordinator):
    sign_in_for_admin(client, coordinator)

    response = client.post(f"{PAUSES}add/", {"kind": "every_hour"})

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["kind"]
    assert ReminderPause.objects.count() == 0


def test_admin_pause_is_lifted_by_deleting_it(client, coordinator):
    pause = ReminderPause.objects.create(kind=ReminderKind.EVENT_SOON, paused_by=coordinator)
    sign_in_for_admin(client, coordinator)

    page = client.get(f"{PAUSES}{pause.pk}/change/")
    response = client.post(f"{PAUSES}{pause.pk}/delete/", {"post": "yes"})

    # Nothing to edit on a pause: its page only shows it, with the way to delete it.
    assert 'name="kind"' not in page.content.decode()
    assert f"{PAUSES}{pause.pk}/delete/" in page.content.decode()
    assert (response.status_code, response.url) == (302, PAUSES)
    assert ReminderPause.objects.count() == 0


def test_admin_pause_refuses_staff_who_are_not_coordinators(
    client, staff_with_all_outbox_permissions, coordinator
):
    pause = ReminderPause.objects.create(kind=ReminderKind.EVENT_SOON, paused_by=coordinator)
    sign_in_for_admin(client, staff_with_all_outbox_permissions)

    assert client.get(PAUSES).status_code == 403
    assert client.post(f"{PAUSES}add/", {"kind": "handover_due"}).status_code == 403
    assert client.post(f"{PAUSES}{pause.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(ReminderPause.objects.values_list("kind", flat=True)) == ["event_soon"]
