"""The retention job (accounts.retention): old accounts anonymised, old attachments deleted."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ErasureFailure, User
from accounts.privacy.erasure import is_erased
from accounts.privacy.retention import retention_run
from accounts.tasks import retention_task
from lerenmetdestad.celery import app
from partners.enums import ChallengeState
from partners.models import ChallengeAttachment
from tests.factories import CoordinatorFactory, StudentFactory, UserFactory
from tests.projects.factories import ChallengeFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = pytest.mark.integration

NOW = timezone.now()
DAYS = 1095


@pytest.fixture(autouse=True)
def _periods(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ACCOUNT_RETENTION_DAYS = DAYS
    settings.CHALLENGE_ATTACHMENT_RETENTION_DAYS = 365


def ago(days: int):
    return NOW - timedelta(days=days)


@pytest.fixture
def people(db):
    return {
        "signed_in_long_ago": StudentFactory(last_login=ago(DAYS + 1), date_joined=ago(DAYS + 400)),
        "signed_in_lately": StudentFactory(last_login=ago(DAYS - 1), date_joined=ago(DAYS + 400)),
        "never_signed_in_old": UserFactory(last_login=None, date_joined=ago(DAYS + 1)),
        "never_signed_in_new": UserFactory(last_login=None, date_joined=ago(10)),
        "joined_long_ago_signed_in_lately": UserFactory(
            last_login=ago(3), date_joined=ago(DAYS * 2)
        ),
    }


def attachment(challenge, name: str) -> ChallengeAttachment:
    stored = default_storage.save(f"challenges/{challenge.pk}/{name}", ContentFile(b"%PDF-1.4"))
    return ChallengeAttachment.objects.create(
        challenge=challenge,
        file=stored,
        original_name=name,
        content_type="application/pdf",
        size=8,
    )


def ended(state, days_ago: int):
    challenge = ChallengeFactory(state=state, decision_reason="Past niet bij ons.")
    # A plain update: the state machine would stamp the change with today's date.
    challenge.__class__.objects.filter(pk=challenge.pk).update(state_changed_at=ago(days_ago))
    return challenge


@pytest.fixture
def attachments(db):
    return {
        "closed_long_ago": attachment(ended(ChallengeState.CLOSED, 366), "verslag.pdf"),
        "declined_long_ago": attachment(ended(ChallengeState.DECLINED, 400), "plan.pdf"),
        "closed_lately": attachment(ended(ChallengeState.CLOSED, 364), "foto.pdf"),
        "running_for_long": attachment(ended(ChallengeState.IN_PROGRESS, 800), "lijst.pdf"),
    }


def test_retention_anonymises_exactly_the_inactive_accounts(people):
    report = retention_run(now=NOW)

    erased = {
        key for key, user in people.items() if User.objects.get(pk=user.pk).is_active is False
    }
    assert erased == {"signed_in_long_ago", "never_signed_in_old"}
    assert sorted(report.accounts_erased) == sorted(
        [people["signed_in_long_ago"].pk, people["never_signed_in_old"].pk]
    )
    user = User.objects.get(pk=people["signed_in_long_ago"].pk)
    assert (user.name, user.email) == (
        f"Verwijderde gebruiker {user.pk}",
        f"user-{user.pk}@erased.invalid",
    )
    assert (
        User.objects.get(pk=people["signed_in_lately"].pk).name == people["signed_in_lately"].name
    )


def test_retention_keeps_the_last_coordinator_and_says_why(db, english):
    coordinator = CoordinatorFactory(last_login=ago(DAYS + 10))

    report = retention_run(now=NOW)

    assert list(report.accounts_kept) == [coordinator.pk]
    assert report.accounts_kept[coordinator.pk].startswith("You are the last coordinator.")
    assert User.objects.get(pk=coordinator.pk).is_active is True
    # The refusal is why the account outlives its retention: coordinators see it too.
    failure = ErasureFailure.objects.get()
    assert (failure.user_id, failure.reason, failure.attempts) == (
        coordinator.pk,
        report.accounts_kept[coordinator.pk],
        1,
    )


def test_retention_deletes_exactly_the_old_attachments_and_their_files(
    attachments, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run(now=NOW)

    old = {"closed_long_ago", "declined_long_ago"}
    assert sorted(report.removed["challenge_attachments"]) == sorted(
        attachments[key].pk for key in old
    )
    left = set(ChallengeAttachment.objects.values_list("pk", flat=True))
    assert left == {attachments[key].pk for key in attachments if key not in old}
    assert {key: default_storage.exists(a.file.name) for key, a in attachments.items()} == {
        "closed_long_ago": False,
        "declined_long_ago": False,
        "closed_lately": True,
        "running_for_long": True,
    }


def test_retention_keeps_files_when_the_transaction_is_rolled_back(attachments):
    # Without the commit the callbacks never run: rows may go back, files must still be there.
    retention_run(now=NOW)

    assert default_storage.exists(attachments["closed_long_ago"].file.name) is True


def test_retention_run_twice_does_nothing_the_second_time(
    people, attachments, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        retention_run(now=NOW)
    users = list(User.objects.order_by("pk").values_list("pk", "name", "email", "is_active"))
    files = sorted(ChallengeAttachment.objects.values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = retention_run(now=NOW)

    assert (
        second.accounts_erased,
        second.accounts_kept,
        second.removed["challenge_attachments"],
    ) == (
        [],
        {},
        [],
    )
    assert callbacks == []
    assert (
        list(User.objects.order_by("pk").values_list("pk", "name", "email", "is_active")) == users
    )
    assert sorted(ChallengeAttachment.objects.values_list("file", flat=True)) == files


def test_retention_task_is_scheduled_and_runs_the_job(people):
    entry = app.conf.beat_schedule["accounts-retention"]

    result = retention_task.apply()

    assert entry["task"] == retention_task.name == "accounts.retention"
    assert result.get() == 2
    assert User.objects.get(pk=people["never_signed_in_old"].pk).is_active is False


# --- Accounts that cannot be erased -------------------------------------------------------------

FAILED = "/beheer/accounts/erasurefailure/"


@pytest.fixture
def refuse_updates(db):
    """Make PostgreSQL refuse every update of one user's row, as a real fault in the erasure
    would: the error is raised inside the erasure's own transaction. The DETAIL line quotes
    the email address, as PostgreSQL does for a key that clashes. Trigger and function are
    dropped after the test, for tests that commit (transaction=True) as well."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'refused by the test''s trigger'
                    USING ERRCODE = 'check_violation', DETAIL = 'Key (email)=(' || OLD.email || ')';
            END $$
            """
        )

    def refuse(user: User) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TRIGGER test_refuse_update BEFORE UPDATE ON accounts_user FOR EACH ROW"
                " WHEN (OLD.id = %s) EXECUTE FUNCTION test_refuse_update()",
                [user.pk],
            )

    def allow() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_refuse_update ON accounts_user")

    refuse.allow = allow
    yield refuse
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS test_refuse_update ON accounts_user")
        cursor.execute("DROP FUNCTION test_refuse_update()")


def erased_by_key(people: dict[str, User]) -> dict[str, bool]:
    return {key: is_erased(User.objects.get(pk=user.pk)) for key, user in people.items()}


def test_retention_goes_on_past_an_account_whose_erasure_fails(refuse_updates, caplog):
    people = {
        key: StudentFactory(last_login=ago(DAYS + 5), name=f"Lotte {key}")
        for key in ("first", "failing", "third")
    }
    failing = people["failing"]
    refuse_updates(failing)
    reason = "IntegrityError: refused by the test's trigger"

    report = retention_run(now=NOW)

    assert erased_by_key(people) == {"first": True, "failing": False, "third": True}
    kept = User.objects.get(pk=failing.pk)
    assert (kept.name, kept.email, kept.is_active) == ("Lotte failing", failing.email, True)
    assert report.accounts_erased == [people["first"].pk, people["third"].pk]
    assert report.accounts_kept == {failing.pk: reason}
    assert list(
        ErasureFailure.objects.values_list(
            "user_id", "reason", "attempts", "first_failed_at", "last_failed_at"
        )
    ) == [(failing.pk, reason, 1, NOW, NOW)]
    # The log names the account by its number and says where it failed, never who it is.
    assert f"retention: account {failing.pk} could not be erased: {reason}" in caplog.text
    assert "account_anonymise" in caplog.text
    assert failing.email not in caplog.text
    assert "Lotte" not in caplog.text

    # The next day it fails again: one row still, one attempt more.
    tomorrow = NOW + timedelta(days=1)
    again = retention_run(now=tomorrow)

    assert (again.accounts_erased, again.accounts_kept) == ([], {failing.pk: reason})
    assert list(
        ErasureFailure.objects.values_list(
            "user_id", "attempts", "first_failed_at", "last_failed_at"
        )
    ) == [(failing.pk, 2, NOW, tomorrow)]

    # Once the fault is gone, the next run erases the account and forgets the failure.
    refuse_updates.allow()
    last = retention_run(now=tomorrow + timedelta(days=1))

    assert (last.accounts_erased, last.accounts_kept) == ([failing.pk], {})
    assert erased_by_key(people) == {"first": True, "failing": True, "third": True}
    assert ErasureFailure.objects.exists() is False


@pytest.mark.django_db(transaction=True)
def test_retention_commits_each_account_on_its_own(refuse_updates):
    # No test transaction around the job here: each erasure commits, or rolls back, for real.
    first, failing, third = StudentFactory.create_batch(3, last_login=ago(DAYS + 5))
    refuse_updates(failing)

    report = retention_run(now=NOW)

    assert report.accounts_erased == [first.pk, third.pk]
    assert {user.pk: is_erased(user) for user in User.objects.all()} == {
        first.pk: True,
        failing.pk: False,
        third.pk: True,
    }
    assert list(ErasureFailure.objects.values_list("user_id", "attempts")) == [(failing.pk, 1)]


def test_retention_forgets_a_failure_once_the_account_is_no_longer_due(db, english):
    coordinator = CoordinatorFactory(last_login=ago(DAYS + 10))
    retention_run(now=NOW)
    assert ErasureFailure.objects.filter(user=coordinator).exists() is True

    # The coordinator signs in again: the account is no longer past its retention period.
    User.objects.filter(pk=coordinator.pk).update(last_login=NOW)
    report = retention_run(now=NOW + timedelta(days=1))

    assert report.accounts_kept == {}
    assert ErasureFailure.objects.exists() is False


# --- Shown to coordinators ----------------------------------------------------------------------


def failure_of(user: User, reason: str = "IntegrityError: refused", attempts: int = 1):
    return ErasureFailure.objects.create(
        user=user, reason=reason, attempts=attempts, first_failed_at=ago(3), last_failed_at=ago(1)
    )


def listed(response) -> list[tuple]:
    return [(f.user_id, f.reason, f.attempts) for f in response.context["cl"].result_list]


def test_admin_erasure_failures_show_each_account_with_its_reason(client, coordinator):
    student = StudentFactory()
    failure_of(student, attempts=3)
    sign_in_for_admin(client, coordinator)

    response = client.get(FAILED)

    assert response.status_code == 200
    assert listed(response) == [(student.pk, "IntegrityError: refused", 3)]
    page = response.content.decode()
    assert f'<a href="/beheer/accounts/user/{student.pk}/change/">{student.pk}</a>' in page


def test_admin_erasure_failures_queries_do_not_grow_with_rows(client, coordinator):
    sign_in_for_admin(client, coordinator)
    failure_of(StudentFactory())
    with CaptureQueriesContext(connection) as one_row:
        client.get(FAILED)
    for student in StudentFactory.create_batch(4):
        failure_of(student)

    with CaptureQueriesContext(connection) as five_rows:
        response = client.get(FAILED)

    assert len(response.context["cl"].result_list) == 5
    assert len(five_rows) == len(one_row)


def test_admin_erasure_failures_are_read_only(client, coordinator, student):
    failure = failure_of(student)
    sign_in_for_admin(client, coordinator)
    url = f"{FAILED}{failure.pk}/change/"

    page = client.get(url)
    changed = client.post(url, {"reason": "Opgelost", "attempts": "0"})
    deleted = client.post(f"{FAILED}{failure.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert client.get(f"{FAILED}add/").status_code == 403
    assert list(ErasureFailure.objects.values_list("reason", "attempts")) == [
        ("IntegrityError: refused", 1)
    ]


def test_admin_erasure_failures_refuse_staff_who_are_not_coordinators(client, student):
    failure = failure_of(student)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    sign_in_for_admin(client, staff)

    assert client.get(FAILED).status_code == 403
    assert client.get(f"{FAILED}{failure.pk}/change/").status_code == 403


@pytest.mark.parametrize("role", ["student", "partner_member", "researcher"])
def test_admin_erasure_failures_send_people_who_are_not_staff_to_the_login(client, request, role):
    sign_in_for_admin(client, request.getfixturevalue(role))

    response = client.get(FAILED)

    assert (response.status_code, response.url.split("?")[0]) == (302, "/beheer/login/")
