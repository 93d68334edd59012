import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox.enums import MessageKind, MessageStatus
from outbox.models import Message, OptOut
from outbox.services import message_queue, opt_out_create
from tests.factories import UserFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

LIST = "/beheer/outbox/message/"


def queue(user, *, subject="Nieuws", kind=MessageKind.PROJECT_UPDATES):
    return message_queue(
        to_email=user.email,
        kind=kind,
        subject=subject,
        body_text="Er is nieuws.",
        language=user.language,
        user=user,
    )


def finish(message, status):
    """Arrange a row as the sending task would have left it."""
    sent_at = timezone.now() if status == MessageStatus.SENT else None
    Message.objects.filter(pk=message.pk).update(status=status, attempts=1, sent_at=sent_at)
    message.refresh_from_db()
    return message


@pytest.fixture
def staff_without_permission(db):
    return UserFactory(is_staff=True, email="staf@lerenmetdestad.nl")


def listed(response) -> list[str]:
    return [message.subject for message in response.context["cl"].result_list]


def test_admin_message_list_shows_rows_to_a_coordinator(client, coordinator, student):
    queue(student, subject="Eerste")
    finish(queue(student, subject="Tweede"), MessageStatus.FAILED)
    sign_in_for_admin(client, coordinator)

    response = client.get(LIST)

    assert response.status_code == 200
    assert listed(response) == ["Tweede", "Eerste"]
    page = response.content.decode()
    assert "sanne@student.hsleiden.nl" in page
    # The filters a coordinator needs, and the resend action.
    for parameter in ("status__exact=failed", "kind__exact=project_updates", "language__exact=nl"):
        assert parameter in page
    assert '<option value="resend">' in page


def test_admin_message_list_filters_and_searches(client, coordinator, student, researcher):
    queue(student, subject="Rooster Meet & Match")
    finish(queue(researcher, subject="Uitnodiging"), MessageStatus.FAILED)
    sign_in_for_admin(client, coordinator)

    assert listed(client.get(LIST, {"status__exact": "failed"})) == ["Uitnodiging"]
    assert listed(client.get(LIST, {"q": "rooster"})) == ["Rooster Meet & Match"]
    assert listed(client.get(LIST, {"q": "rachid@"})) == ["Uitnodiging"]


def test_admin_message_list_queries_do_not_grow_with_rows(client, coordinator):
    sign_in_for_admin(client, coordinator)
    queue(UserFactory())
    with CaptureQueriesContext(connection) as one_row:
        client.get(LIST)
    for person in UserFactory.create_batch(9):
        queue(person)

    with CaptureQueriesContext(connection) as ten_rows:
        response = client.get(LIST)

    assert len(response.context["cl"].result_list) == 10
    assert len(ten_rows) == len(one_row)


def test_admin_message_list_refuses_staff_without_permission(client, staff_without_permission):
    sign_in_for_admin(client, staff_without_permission)

    assert client.get(LIST).status_code == 403
    assert client.get("/beheer/outbox/optout/").status_code == 403


def test_admin_message_detail_is_read_only(client, coordinator, student):
    message = queue(student, subject="Niet aan te passen")
    sign_in_for_admin(client, coordinator)
    url = f"{LIST}{message.pk}/change/"

    page = client.get(url).content.decode()
    refused = client.post(url, {"subject": "Anders"})

    assert 'name="subject"' not in page
    assert "Niet aan te passen" in page
    assert message.message_id.strip("<>") in page
    assert refused.status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{message.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Message.objects.get().subject == "Niet aan te passen"


def test_admin_resend_copies_sent_and_failed_rows_and_skips_those_on_their_way(
    client, coordinator, student, django_capture_on_commit_callbacks
):
    sent = finish(queue(student, subject="Verstuurd"), MessageStatus.SENT)
    failed = finish(queue(student, subject="Mislukt"), MessageStatus.FAILED)
    waiting = queue(student, subject="Onderweg")
    coordinator.language = "en"  # the notices below are our English msgids
    coordinator.save(update_fields=["language"])
    sign_in_for_admin(client, coordinator)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            LIST,
            {"action": "resend", "_selected_action": [sent.pk, failed.pk, waiting.pk]},
            follow=True,
        )

    assert response.status_code == 200
    copies = Message.objects.filter(resend_of__isnull=False).order_by("subject")
    assert [(c.subject, c.resend_of_id, c.status, c.attempts) for c in copies] == [
        ("Mislukt", failed.pk, "queued", 0),
        ("Verstuurd", sent.pk, "queued", 0),
    ]
    # Each copy has a Message-ID of its own; the originals keep theirs and their history.
    old_ids = {sent.message_id, failed.message_id, waiting.message_id}
    assert {c.message_id for c in copies}.isdisjoint(old_ids)
    assert Message.objects.get(pk=sent.pk).status == "sent"
    assert Message.objects.get(pk=failed.pk).status == "failed"
    assert Message.objects.count() == 5
    assert len(callbacks) == 2
    notices = [str(m) for m in response.context["messages"]]
    assert notices == [
        "2 emails queued again as new emails.",
        (
            "1 email skipped: it is still on its way, the recipient switched this kind off, "
            "or has no account any more."
        ),
    ]


def test_admin_resend_respects_an_opt_out_made_since(client, coordinator, student):
    sent = finish(queue(student), MessageStatus.SENT)
    opt_out_create(user=student, kind=MessageKind.PROJECT_UPDATES)
    sign_in_for_admin(client, coordinator)

    client.post(LIST, {"action": "resend", "_selected_action": [sent.pk]})

    assert Message.objects.count() == 1


def test_admin_opt_outs_are_listed_read_only(client, coordinator, student):
    opt_out_create(user=student, kind=MessageKind.REMINDERS)
    sign_in_for_admin(client, coordinator)

    response = client.get("/beheer/outbox/optout/")

    assert response.status_code == 200
    assert [(o.user, o.kind) for o in response.context["cl"].result_list] == [
        (student, "reminders")
    ]
    assert client.get("/beheer/outbox/optout/add/").status_code == 403
    assert OptOut.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["student", "partner_member", "other_partner_member", "researcher", None]
)
def test_admin_outbox_sends_people_who_are_not_staff_to_the_login(client, role, request, student):
    sent = finish(queue(student), MessageStatus.SENT)
    if role is not None:
        sign_in_for_admin(client, request.getfixturevalue(role))

    page = client.get(LIST)
    resend = client.post(LIST, {"action": "resend", "_selected_action": [sent.pk]})

    for response in (page, resend):
        assert (response.status_code, response.url.split("?")[0]) == (302, "/beheer/login/")
    assert Message.objects.count() == 1


def test_admin_resend_is_refused_to_staff_with_every_model_permission_but_resend(client, student):
    staff = UserFactory(is_staff=True, email="beheer@lerenmetdestad.nl")
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="outbox").exclude(
            codename="resend_message"
        )
    )
    sent = finish(queue(student), MessageStatus.SENT)
    sign_in_for_admin(client, staff)

    page = client.get(LIST)
    client.post(LIST, {"action": "resend", "_selected_action": [sent.pk]})

    assert '<option value="resend">' not in page.content.decode()
    assert Message.objects.count() == 1
