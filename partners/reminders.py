"""The coordinators' weekly digest of challenges waiting for review.

Registered with outbox.reminders from PartnersConfig.ready(); sent once per digest week
(outbox.reminders.digest_week) and coordinator.
"""

from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from outbox.enums import MessageKind, ReminderKind
from outbox.reminders import Due, digest_week, register_reminder_source
from partners.enums import REVIEW_QUEUE_STATES
from partners.models import Challenge


def review_digest(now: datetime) -> Iterator[Due]:
    """Each coordinator, once a week, when challenges wait for review; nothing when none do."""
    label, _since, _until = digest_week(now)
    waiting = list(
        Challenge.objects.filter(state__in=REVIEW_QUEUE_STATES)
        .select_related("organisation")
        .order_by("submitted_at", "pk")
    )
    if not waiting:
        return
    url = settings.SITE_URL + reverse("admin:partners_challenge_changelist")
    coordinators = User.objects.filter(is_active=True, is_staff=True, role=Role.COORDINATOR)
    for person in coordinators.order_by("pk"):
        yield Due(
            kind=ReminderKind.REVIEW_DIGEST,
            subject=label,
            recipient=person,
            template_prefix="partners/mail/reminder_review_digest",
            context={"challenges": waiting, "now": now, "url": url},
            message_kind=MessageKind.COORDINATOR_DIGEST,
        )


def register() -> None:
    register_reminder_source(ReminderKind.REVIEW_DIGEST, review_digest)
