"""The retention job (accounts.retention): old accounts anonymised, old attachments deleted."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import User
from accounts.privacy.retention import retention_run
from accounts.tasks import retention_task
from lerenmetdestad.celery import app
from partners.enums import ChallengeState
from partners.models import ChallengeAttachment
from tests.factories import CoordinatorFactory, StudentFactory, UserFactory
from tests.projects.factories import ChallengeFactory

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


def test_retention_deletes_exactly_the_old_attachments_and_their_files(
    attachments, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run(now=NOW)

    old = {"closed_long_ago", "declined_long_ago"}
    assert sorted(report.attachments_deleted) == sorted(attachments[key].pk for key in old)
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

    assert (second.accounts_erased, second.accounts_kept, second.attachments_deleted) == (
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
