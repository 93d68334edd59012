import re

import pytest
from django.db import IntegrityError, transaction

from outbox.enums import OPTIONAL_KINDS, MessageKind, MessageStatus
from outbox.models import Message, OptOut
from outbox.services import (
    BatchResult,
    OutboxError,
    mail_preferences_update,
    message_queue,
    message_render_and_queue,
    messages_send_batch,
    opt_out_create,
)
from outbox.tokens import unsubscribe_url
from tests.factories import UserFactory
from tests.support.mail import delivered_bodies

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MESSAGE_ID = re.compile(
    r"^<[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}@127\.0\.0\.1>$"
)


def queue_update(user, **overrides):
    arguments = {
        "to_email": user.email,
        "kind": MessageKind.PROJECT_UPDATES,
        "subject": "Nieuws over je project",
        "body_text": "Er is nieuws.",
        "language": user.language,
        "user": user,
    } | overrides
    return message_queue(**arguments)


def test_message_queue_writes_one_row_with_a_message_id(student):
    message = queue_update(student)

    row = Message.objects.get()
    assert row == message
    assert (row.to_email, row.recipient, row.kind, row.language) == (
        "sanne@student.hsleiden.nl",
        student,
        "project_updates",
        "nl",
    )
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("queued", 0, None, "")
    assert MESSAGE_ID.match(row.message_id)
    assert (row.subject, row.body_text) == ("Nieuws over je project", "Er is nieuws.")


def test_message_queue_without_html_builds_it_from_the_text_in_the_layout(student):
    message = queue_update(student, body_text="Kijk op https://example.org/p/1 & <lees>.")

    assert '<a href="https://example.org/p/1"' in message.body_html
    assert "&amp; &lt;lees&gt;." in message.body_html
    assert "<lees>" not in message.body_html
    link = unsubscribe_url(user_id=student.pk, kind="project_updates")
    # The unsubscribe link works without a login: stored sealed, delivered in the footer.
    assert link not in message.body_html
    assert f'<a href="{link}"' in delivered_bodies(message)[1]


def test_message_render_and_queue_writes_one_row_per_recipient(mail_templates):
    people = UserFactory.create_batch(3)

    for person in people:
        message_render_and_queue(
            kind=MessageKind.PROJECT_UPDATES,
            template_prefix="outbox_tests/greeting",
            context={"note": "Hallo"},
            user=person,
        )

    rows = list(Message.objects.order_by("pk"))
    assert [row.to_email for row in rows] == [person.email for person in people]
    assert len({row.message_id for row in rows}) == 3
    assert all(MESSAGE_ID.match(row.message_id) for row in rows)


def test_message_queue_sends_nothing_before_commit_and_asks_for_one_batch_after(
    django_capture_on_commit_callbacks, mail_queue, mailoutbox
):
    people = UserFactory.create_batch(3)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        messages = [queue_update(person) for person in people]
        # Still inside the transaction: nothing is asked of a worker, no mail has left.
        assert mail_queue.tasks() == []
        assert list(Message.objects.values_list("status", flat=True)) == ["queued"] * 3

    # Each message asked after commit; the first request queued a batch, which takes all.
    assert len(callbacks) == 3
    assert mail_queue.tasks() == ["outbox.send_batch"]
    assert messages_send_batch() == BatchResult(sent=3)
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(p.email for p in people)
    assert sorted(mail.extra_headers["Message-ID"] for mail in mailoutbox) == sorted(
        m.message_id for m in messages
    )
    assert list(Message.objects.values_list("status", flat=True)) == ["sent"] * 3


def test_message_queue_opted_out_optional_kind_queues_nothing(
    student, mail_templates, django_capture_on_commit_callbacks
):
    opt_out_create(user=student, kind=MessageKind.PROJECT_UPDATES)

    with django_capture_on_commit_callbacks() as callbacks:
        queued = queue_update(student)
        rendered = message_render_and_queue(
            kind=MessageKind.PROJECT_UPDATES,
            template_prefix="outbox_tests/greeting",
            context={},
            user=student,
        )

    assert (queued, rendered) == (None, None)
    assert Message.objects.count() == 0
    assert callbacks == []


def test_message_queue_other_optional_kind_still_queues_after_opt_out(student):
    opt_out_create(user=student, kind=MessageKind.PROJECT_UPDATES)

    message = queue_update(student, kind=MessageKind.REMINDERS)

    assert Message.objects.get() == message


def test_message_queue_required_kind_queues_even_with_every_optional_kind_off(student):
    mail_preferences_update(user=student, receive=[])
    assert OptOut.objects.filter(user=student).count() == len(OPTIONAL_KINDS)

    message = queue_update(student, kind=MessageKind.ACCOUNT)

    assert Message.objects.get() == message
    assert message.kind == "account"


def test_opt_out_required_kind_is_refused_by_the_service_and_the_database(student):
    with pytest.raises(OutboxError):
        opt_out_create(user=student, kind=MessageKind.ACCOUNT)
    with pytest.raises(IntegrityError), transaction.atomic():
        OptOut.objects.create(user=student, kind=MessageKind.ACCOUNT)
    assert OptOut.objects.count() == 0


def test_opt_out_create_twice_keeps_one_row(student):
    opt_out_create(user=student, kind=MessageKind.REMINDERS)
    opt_out_create(user=student, kind=MessageKind.REMINDERS)

    assert list(OptOut.objects.values_list("kind", flat=True)) == ["reminders"]
    with pytest.raises(IntegrityError), transaction.atomic():
        OptOut.objects.create(user=student, kind=MessageKind.REMINDERS)


def test_message_queue_optional_kind_without_user_is_refused():
    with pytest.raises(OutboxError):
        message_queue(
            to_email="iemand@example.org",
            kind=MessageKind.REMINDERS,
            subject="Herinnering",
            body_text="Morgen!",
            language="nl",
        )
    assert Message.objects.count() == 0


def test_message_queue_required_kind_without_user_queues():
    message = message_queue(
        to_email="  nieuw@example.org ",
        kind=MessageKind.ACCOUNT,
        subject="Welkom\nbij ons",
        body_text="Hallo",
        language="en-gb",
    )

    assert (message.to_email, message.recipient, message.language) == (
        "nieuw@example.org",
        None,
        "en",
    )
    # A subject is one header line, whatever the caller passed.
    assert message.subject == "Welkom bij ons"


def test_message_queue_bad_address_is_refused(student):
    with pytest.raises(OutboxError):
        queue_update(student, to_email="geen-adres")
    assert Message.objects.count() == 0


def test_message_render_and_queue_uses_the_recipients_language(mail_templates):
    dutch = UserFactory(language="nl", name="Daan")
    english = UserFactory(language="en", name="Emma")

    for person in (dutch, english):
        message_render_and_queue(
            kind=MessageKind.PROJECT_UPDATES,
            template_prefix="outbox_tests/greeting",
            context={"note": "Tot snel"},
            user=person,
        )

    by_language = {m.language: m for m in Message.objects.all()}
    # Django's own catalogue translates these msgids; ours get Dutch from a translator later.
    assert by_language["nl"].subject == "Wachtwoord hersteld"
    assert by_language["nl"].body_text.startswith("Welkom, Daan\n\nTot snel")
    assert by_language["en"].subject == "Password reset"
    assert by_language["en"].body_text.startswith("Welcome, Emma\n\nTot snel")
    assert by_language["nl"].to_email == dutch.email


def test_message_render_and_queue_to_address_without_user_uses_default_language(mail_templates):
    message = message_render_and_queue(
        kind=MessageKind.ACCOUNT,
        template_prefix="outbox_tests/greeting",
        context={"note": "Hallo"},
        to_email="los@example.org",
    )

    assert (message.to_email, message.language, message.subject) == (
        "los@example.org",
        "nl",
        "Wachtwoord hersteld",
    )


def test_message_render_and_queue_without_html_template_builds_html_from_text(mail_templates):
    person = UserFactory(language="en", name="Anne O'Brien")

    message = message_render_and_queue(
        kind=MessageKind.PROJECT_UPDATES,
        template_prefix="outbox_tests/greeting",
        context={"note": "Ben & Jerry <3", "url": "https://example.org/project/7"},
        user=person,
    )

    # Plain text is not HTML: nothing is escaped there.
    assert message.body_text.startswith(
        "Welcome, Anne O'Brien\n\nBen & Jerry <3\n\nhttps://example.org/project/7\n\n-- \n"
    )
    # In HTML the same text is escaped, links are links, paragraphs are paragraphs.
    assert "<p>Welcome, Anne O&#x27;Brien</p>" in message.body_html
    assert "<p>Ben &amp; Jerry &lt;3</p>" in message.body_html
    assert '<a href="https://example.org/project/7"' in message.body_html
    assert message.body_html.startswith("<!doctype html>")


def test_message_render_and_queue_with_html_template_wraps_it_and_adds_unsubscribe(
    mail_templates,
):
    person = UserFactory(language="en", name="Bram")

    message = message_render_and_queue(
        kind=MessageKind.PROJECT_UPDATES,
        template_prefix="outbox_tests/update",
        context={"note": "a <b>bold</b> plan"},
        user=person,
    )

    link = unsubscribe_url(user_id=person.pk, kind="project_updates")
    text, html = delivered_bodies(message)
    assert message.subject == "Change password"
    assert "<p>Project update for <strong>Bram</strong>: a &lt;b&gt;bold&lt;/b&gt; plan</p>" in (
        message.body_html
    )
    assert html.count(f'href="{link}"') == 1
    assert link not in message.body_text + message.body_html
    assert text == (
        "Project update for Bram: a <b>bold</b> plan\n\n"
        "-- \n"
        "You get this email because you chose to get: Updates on projects you take part in.\n"
        f"Stop these emails: {link}\n"
        "Choose which emails you get: http://127.0.0.1:8000/berichten/instellingen/\n\n"
        "Leren met de Stad · http://127.0.0.1:8000"
    )


def test_message_render_and_queue_required_kind_has_no_unsubscribe(mail_templates):
    person = UserFactory(language="en")

    message = message_render_and_queue(
        kind=MessageKind.ACCOUNT,
        template_prefix="outbox_tests/update",
        context={"note": "x"},
        user=person,
    )

    assert "/berichten/afmelden/" not in message.body_text
    assert "/berichten/afmelden/" not in message.body_html
    assert "You cannot switch these emails off." in message.body_text


def test_message_status_check_constraint_holds(student):
    message = queue_update(student)

    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
