"""Telling students where they stand, through the outbox."""

from django.conf import settings
from django.urls import reverse

from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from projects.models import Enrolment


def enrolment_notify(*, enrolment: Enrolment, event: str) -> None:
    """One mail to the student about their enrolment's new state.

    `event` names the change (with its moment), so the same change never mails twice.
    """
    message_render_and_queue(
        kind=MessageKind.PROJECT_UPDATES,
        template_prefix="projects/mail/enrolment",
        context={
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "project": enrolment.cohort.project,
            "url": settings.SITE_URL + reverse("projects:mine"),
        },
        user=enrolment.student,
        dedupe_key=f"enrolment:{enrolment.pk}:{event}",
    )
