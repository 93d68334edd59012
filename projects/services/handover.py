"""The handover dossier: what a group hands over to the next one.

The team writes it together. Every save names the version it started from (`base_version`);
a save on top of a newer version is refused with the other person's text, so nobody's edit is
silently lost, and every save that succeeds is kept as a HandoverDossierVersion. The team
submits it; a lecturer of the project, a member of one of its partner organisations or a
coordinator approves it or asks for changes. Approval completes a group that is handing over.

Lock order, the same as in projects.services.cohorts: the cohort first, then its dossier.
"""

from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from lerenmetdestad.locking import lock_rows, race_window
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from projects.enums import DOSSIER_EDITABLE_STATES, CohortState, DossierState
from projects.models import (
    Cohort,
    Enrolment,
    HandoverDossier,
    HandoverDossierVersion,
    HandoverProduct,
)
from projects.rules import HANDOVER_TEAM_STATES, is_dossier_team_member, may_decide_handover
from projects.services.cohorts import CohortAction, cohort_transition

# What the team writes, in the order the form and every rendering show it.
CONTENT_FIELDS = (
    "summary",
    "work_done",
    "results",
    "contacts",
    "resident_voices",
    "open_questions",
    "advice",
    "public_summary",
)

# A group has a dossier from the moment it runs; a cancelled group hands nothing over.
DOSSIER_COHORT_STATES = frozenset(
    {CohortState.RUNNING, CohortState.HANDOVER, CohortState.COMPLETED}
)


class HandoverError(Exception):
    """A rule about the handover was broken; the message is fit to show."""


class DossierConflictError(HandoverError):
    """Someone saved the dossier after the version this edit started from.

    Carries what they saved, so the person can compare it with their own unsaved text.
    """

    def __init__(
        self,
        message: str,
        *,
        content: dict[str, str],
        version: int,
        saved_by: User | None,
        saved_at: datetime,
    ):
        super().__init__(message)
        self.content = content
        self.version = version
        self.saved_by = saved_by
        self.saved_at = saved_at


def dossier_content(dossier: HandoverDossier) -> dict[str, str]:
    return {name: getattr(dossier, name) for name in CONTENT_FIELDS}


def dossier_for(cohort: Cohort) -> HandoverDossier:
    """The cohort's dossier, made empty on first use; only once the group is under way.

    Checks no permission: the caller decides who may see it.
    """
    if cohort.state not in DOSSIER_COHORT_STATES:
        raise HandoverError(_("A group writes its handover once it has started."))
    # get_or_create catches the unique violation when two people open the page at once.
    dossier, _created = HandoverDossier.objects.get_or_create(cohort=cohort)
    dossier.cohort = cohort
    return dossier


def _lock_dossier(dossier_id: int) -> HandoverDossier:
    # Only the dossier's row: the cohort and project are joined in to be read.
    return lock_rows(
        HandoverDossier.objects.select_related("cohort__project", "updated_by"), of=("self",)
    ).get(pk=dossier_id)


def _check_editable(actor: User, dossier: HandoverDossier) -> None:
    if not is_dossier_team_member(actor, dossier):
        raise HandoverError(_("Only the students of the group can write its handover."))
    if dossier.state not in DOSSIER_EDITABLE_STATES:
        raise HandoverError(
            _("The handover cannot be changed now: it is %(state)s.")
            % {"state": dossier.get_state_display().lower()}
        )


def dossier_save(
    *,
    dossier_id: int,
    actor: User,
    base_version: int,
    fields: dict[str, str],
    now: datetime | None = None,
) -> HandoverDossier:
    """Save the team's text, if nobody saved since `base_version`; returns the dossier.

    Raises DossierConflictError, carrying the newer text and who saved it, when the dossier
    is past `base_version`: the caller shows both, so nothing typed is lost. A save that
    changes nothing keeps the version as it is.
    Side effects: the version rises by one and a HandoverDossierVersion holds the new text.
    """
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"These dossier fields cannot be saved: {', '.join(sorted(unknown))}")
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        _check_editable(actor, dossier)
        if base_version != dossier.version:
            who = dossier.updated_by.name if dossier.updated_by else _("someone")
            raise DossierConflictError(
                _(
                    "%(name)s saved the handover while you were writing. Your text has not "
                    "been saved yet: it is still in the form below, next to what %(name)s "
                    "saved. Combine the two and save again."
                )
                % {"name": who},
                content=dossier_content(dossier),
                version=dossier.version,
                saved_by=dossier.updated_by,
                saved_at=dossier.updated_at,
            )
        race_window()
        changed = [name for name, value in fields.items() if getattr(dossier, name) != value]
        if not changed:
            return dossier
        for name in changed:
            setattr(dossier, name, fields[name])
        dossier.version += 1
        dossier.updated_at = now
        dossier.updated_by = actor
        dossier.save(update_fields=[*changed, "version", "updated_at", "updated_by"])
        HandoverDossierVersion.objects.create(
            dossier=dossier,
            number=dossier.version,
            content=dossier_content(dossier),
            saved_by=actor,
            saved_at=now,
        )
    return dossier


def product_add(
    *,
    dossier_id: int,
    actor: User,
    title: str,
    url: str = "",
    file: UploadedFile | None = None,
    public: bool = False,
    now: datetime | None = None,
) -> HandoverProduct:
    """Add a result of the group: a link or a file (checked by the form), public or not.

    Side effect: a file is stored under MEDIA_ROOT/handover/<cohort>/, never served directly.
    """
    title = title.strip()
    url = url.strip()
    if not title:
        raise HandoverError(_("Give the product a title."))
    if bool(url) == (file is not None):
        raise HandoverError(_("Add either a link or a file."))
    with transaction.atomic():
        # Under the dossier's lock, so nothing is added once the dossier is submitted.
        dossier = _lock_dossier(dossier_id)
        _check_editable(actor, dossier)
        product = HandoverProduct(
            dossier=dossier,
            title=title,
            url=url,
            public=public,
            added_by=actor,
            added_at=now or timezone.now(),
        )
        if file is not None:
            product.file = file
        product.save()
    return product


def product_remove(*, product_id: int, actor: User) -> None:
    """Remove a product; its file goes from storage once the removal is committed."""
    dossier_id = (
        HandoverProduct.objects.filter(pk=product_id).values_list("dossier_id", flat=True).first()
    )
    if dossier_id is None:
        raise HandoverError(_("This product no longer exists."))
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        _check_editable(actor, dossier)
        product = HandoverProduct.objects.filter(pk=product_id, dossier=dossier).first()
        if product is None:
            raise HandoverError(_("This product no longer exists."))
        if product.file:
            storage, name = product.file.storage, product.file.name
            transaction.on_commit(lambda: storage.delete(name))
        product.delete()


def dossier_submit(*, dossier_id: int, actor: User, now: datetime | None = None) -> HandoverDossier:
    """The team hands the dossier in for a decision.

    Side effects: one mail to each member of the project's partner organisations and to
    each of its lecturers, keyed by the moment of submission.
    """
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        _check_editable(actor, dossier)
        if not dossier.summary.strip():
            raise HandoverError(_("Write at least the summary before you submit the handover."))
        dossier.state = DossierState.SUBMITTED
        dossier.submitted_at = now
        dossier.save(update_fields=["state", "submitted_at"])
        _notify_guides(dossier=dossier, event=f"submitted:{now.isoformat()}")
    return dossier


def dossier_decide(
    *,
    dossier_id: int,
    actor: User,
    approve: bool,
    note: str,
    now: datetime | None = None,
) -> HandoverDossier:
    """Approve a submitted dossier, or send it back to the team with a note saying what to change.

    For partner members of the project's organisations, its lecturers and coordinators; never
    students. Approving a group that is handing over completes it (cohort_transition, by the
    platform), in the same transaction.
    Side effects: one mail to each student of the group, keyed by the moment of the decision;
    on approval, the cohort's transition and its log entry.
    """
    note = note.strip()
    if not approve and not note:
        raise HandoverError(_("Say what the team should change: the note is required."))
    now = now or timezone.now()
    with transaction.atomic():
        cohort_id = (
            HandoverDossier.objects.filter(pk=dossier_id).values_list("cohort_id", flat=True).get()
        )
        cohort = lock_rows(Cohort.objects.select_related("project")).get(pk=cohort_id)
        dossier = _lock_dossier(dossier_id)
        if not may_decide_handover(actor, dossier):
            raise HandoverError(
                _("Only the partner, the lecturers of the project or a coordinator can decide.")
            )
        if dossier.state != DossierState.SUBMITTED:
            raise HandoverError(
                _("This handover is not waiting for a decision: it is %(state)s.")
                % {"state": dossier.get_state_display().lower()}
            )
        dossier.state = DossierState.APPROVED if approve else DossierState.CHANGES_REQUESTED
        dossier.decided_at = now
        dossier.decided_by = actor
        dossier.decision_note = note
        dossier.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
        if approve and cohort.state == CohortState.HANDOVER:
            cohort_transition(
                cohort_id=cohort.pk, action=CohortAction.COMPLETE, actor=None, now=now
            )
        _notify_team(dossier=dossier, approved=approve, event=f"decided:{now.isoformat()}")
    return dossier


# --- Mail -----------------------------------------------------------------------------------


def _dossier_url(dossier: HandoverDossier, name: str = "projects:handover") -> str:
    return settings.SITE_URL + reverse(name, args=[dossier.cohort_id])


def _notify_guides(*, dossier: HandoverDossier, event: str) -> int:
    """The project's partner members and lecturers: a dossier waits for their decision."""
    project = dossier.cohort.project
    people = (
        User.objects.filter(is_active=True)
        .exclude(role=Role.STUDENT)
        .filter(Q(memberships__organisation__projects=project) | Q(led_projects=project))
        .distinct()
        .order_by("pk")
    )
    url = _dossier_url(dossier, "projects:handover_decide")
    queued = 0
    for person in people:
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix="projects/mail/handover_submitted",
                context={
                    "recipient": person,
                    "dossier": dossier,
                    "cohort": dossier.cohort,
                    "project": project,
                    "url": url,
                },
                user=person,
                dedupe_key=f"handover:{dossier.pk}:{event}:{person.pk}",
            )
            is not None
        )
    return queued


def _notify_team(*, dossier: HandoverDossier, approved: bool, event: str) -> int:
    enrolments = (
        Enrolment.objects.filter(cohort_id=dossier.cohort_id, state__in=HANDOVER_TEAM_STATES)
        .select_related("student")
        .order_by("pk")
    )
    url = _dossier_url(dossier)
    prefix = "handover_approved" if approved else "handover_changes"
    queued = 0
    for enrolment in enrolments:
        queued += (
            message_render_and_queue(
                kind=MessageKind.PROJECT_UPDATES,
                template_prefix=f"projects/mail/{prefix}",
                context={
                    "recipient": enrolment.student,
                    "dossier": dossier,
                    "cohort": dossier.cohort,
                    "project": dossier.cohort.project,
                    "url": url,
                },
                user=enrolment.student,
                dedupe_key=f"handover:{dossier.pk}:{event}:{enrolment.student_id}",
            )
            is not None
        )
    return queued
