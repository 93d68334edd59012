"""Erasure changes exactly the person's rows: every table, compared row by row.

The snapshot reads every table of the database with plain SQL (the audit history of
django-pghistory, sessions, Django's and allauth's tables included), so a row that erasure
touches without the registry tying it to the person shows up, whatever model or app it is in.
"""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.privacy.erasure import account_erase, person_of
from accounts.privacy.registry import Keep, declarations
from outbox.models import Message
from tests.accounts.privacy_scene import bystander_named, scene_everything
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.integration

Row = tuple[str, str]


def snapshot() -> dict[Row, str]:
    """Every row of every table, as JSON text keyed by (table, primary key)."""
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, coalesce(array_agg(a.attname ORDER BY k.ord) "
            "FILTER (WHERE a.attname IS NOT NULL), '{}') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary "
            "LEFT JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true "
            "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY c.relname"
        )
        tables = cursor.fetchall()
        for table, key_columns in tables:
            key = (
                "jsonb_build_array(" + ", ".join(f't."{column}"' for column in key_columns) + ")"
                if key_columns
                else "to_jsonb(t)"
            )
            cursor.execute(f'SELECT {key}::text, to_jsonb(t)::text FROM "{table}" t')  # noqa: S608 (names from the catalogue)
            for row_key, row in cursor.fetchall():
                rows[table, row_key] = row
    return rows


def tied_rows(user: User, *, erasing_only: bool) -> set[Row]:
    """(table, key) of every row the registry ties to the person; with `erasing_only`, only
    those of declarations whose erasure changes something (not Keep)."""
    person = person_of(user)
    tied = set()
    for declaration in declarations():
        if erasing_only and isinstance(declaration.erase, Keep):
            continue
        model = declaration.model_class
        for pk in declaration.rows(person).values_list("pk", flat=True):
            tied.add((model._meta.db_table, json.dumps([pk])))
    return tied


def changed(before: dict[Row, str], after: dict[Row, str]) -> set[Row]:
    return {row for row in before.keys() | after.keys() if before.get(row) != after.get(row)}


def rename(user: User, *, name: str, email: str) -> None:
    User.objects.filter(pk=user.pk).update(name=name, email=email)
    EmailAddress.objects.filter(user=user).update(email=email)
    user.refresh_from_db()


def sign_in(client: Client, user: User) -> None:
    # Confirmed with the password just now, as allauth asks before the erasure.
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


ODD_PEOPLE = {
    "de": ("de", "de@de.nl"),
    "nl": ("nl", "nl@nl.nl"),
    "Leiden": ("Leiden", "leiden@leiden.nl"),
    "a": ("a", "a@a.nl"),
    "someone-elses-name": ("Rachid Onderzoeker", "tweede.rachid@example.org"),
    "markup": ('<b>Sanne</b> & "de" \\ %', "s.m@example.org"),
    "long": ("L" * 150, ("x" * 188) + "@example.org"),
}


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.mark.parametrize("name, email", ODD_PEOPLE.values(), ids=ODD_PEOPLE.keys())
def test_erasure_changes_only_the_rows_the_registry_ties_to_the_person(
    client, student, researcher, coordinator, media, name, email, django_capture_on_commit_callbacks
):
    rename(student, name=name, email=email)
    scene = scene_everything(student, other=researcher, coordinator=coordinator)
    bystander = bystander_named(name)
    other_browser = Client()
    other_browser.force_login(bystander)
    sign_in(client, student)
    erasing = tied_rows(student, erasing_only=True)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:erase"), {"confirm_email": email})

    assert response.status_code == 302
    after = snapshot()
    assert changed(before, after) - erasing == set()
    # And it did erase: the account, the person's own text, their mail and their session.
    user_row = ("accounts_user", json.dumps([student.pk]))
    mail_row = ("outbox_message", json.dumps([scene.made.message.pk]))
    assert {user_row, mail_row} <= changed(before, after)
    assert User.objects.get(pk=student.pk).name == f"Verwijderde gebruiker {student.pk}"
    # The namesake keeps their name, their mail and their session.
    assert User.objects.get(pk=bystander.pk).name == name
    assert Message.objects.get(recipient=bystander).body_text == f"Hallo {name}, welkom."
    assert Session.objects.filter(session_key=other_browser.session.session_key).count() == 1
    # The file the person uploaded is gone from storage; the group's product stays.
    assert (media / scene.attachment.file.name).exists() is False
    assert (media / scene.product.file.name).exists() is True


def test_erasure_by_an_attacker_leaves_the_victims_unverified_address_alone(client, db):
    victim = UserFactory(name="Vera Slachtoffer", email="vera@example.org")
    victims_mail = Message.objects.create(
        recipient=victim,
        to_email=victim.email,
        kind="account",
        language="nl",
        subject="Welkom",
        body_text="Hallo Vera.",
        message_id=Message.new_message_id(),
    )
    attacker = UserFactory(name="Aad Aanvaller", email="aad@example.org")
    # Anyone can add any address to their own account; only confirming it proves it is theirs.
    EmailAddress.objects.create(user=attacker, email="VERA@example.org", verified=False)
    before = {
        "mail": Message.objects.filter(pk=victims_mail.pk).values().get(),
        "addresses": list(EmailAddress.objects.filter(user=victim).values()),
        "victim": User.objects.filter(pk=victim.pk).values().get(),
    }

    account_erase(user=attacker, confirm_email="aad@example.org")

    after = {
        "mail": Message.objects.filter(pk=victims_mail.pk).values().get(),
        "addresses": list(EmailAddress.objects.filter(user=victim).values()),
        "victim": User.objects.filter(pk=victim.pk).values().get(),
    }
    assert after == before
    # The attacker's own unconfirmed address is simply gone with the account.
    assert EmailAddress.objects.filter(user=attacker).count() == 0
    sign_in(client, User.objects.get(pk=victim.pk))
    assert client.get(reverse("accounts:my-data")).status_code == 200


def test_erasure_that_cannot_finish_changes_nothing_and_says_why(
    client, student, researcher, coordinator, media
):
    scene_everything(student, other=researcher, coordinator=coordinator)
    sign_in(client, student)
    with connection.cursor() as cursor:
        # A real failure in the database, late in the erasure: the account row refuses.
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'refused by the test'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse BEFORE UPDATE ON accounts_user FOR EACH ROW "
            "WHEN (OLD.id = %s) EXECUTE FUNCTION test_refuse()",
            [student.pk],
        )
    before = snapshot()

    response = client.post(reverse("accounts:erase"), {"confirm_email": student.email})

    assert response.status_code == 200
    assert (
        "Je account kon niet worden gewist door een fout bij ons. Er is niets veranderd."
        in response.content.decode()
    )
    assert changed(before, snapshot()) == set()
