"""Hours a student logs for their group, and the lecturer's or partner's word on them.

A student logs hours on days within their group's dates, never in the future. Each new entry
mails every lecturer of the project and every member of its partner organisations a signed
link; whoever opens it first confirms or disputes the entry, without logging in. The link
names the entry and the person it was sent to and expires after HOURS_LINK_MAX_AGE_DAYS;
opening it only shows the entry (mail scanners and link previews open links), deciding takes
a POST. The entry's row is locked while it is decided, so two people answering at once decide
it once, and a second answer is refused with the first one's outcome.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from lerenmetdestad.locking import lock_rows, race_window
from lerenmetdestad.sealing import Secret
from outbox.enums import MessageKind
from outbox.services import message_render_and_queue
from projects.enums import CohortState, HoursState
from projects.models import Enrolment, HoursEntry, Project
from projects.rules import decides_for_project
from projects.services.reflections import TOOK_PART_STATES, aftercare_closes_at

HOURS_LINK_SALT = "projects.hours-decision"
MAX_HOURS_A_DAY = Decimal(24)
DISPUTE_NOTE_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 300


class HoursError(Exception):
    """A rule about logging or deciding hours was broken; the message is fit to show."""


class HoursLinkError(HoursError):
    """A signed hours link cannot be used; `status` is the HTTP status of the page that says so."""

    status = 400


class HoursLinkExpiredError(HoursLinkError):
    status = 410


class HoursLinkNotDeciderError(HoursLinkError):
    status = 403


class HoursAlreadyDecidedError(HoursLinkError):
    status = 409


@dataclass(frozen=True)
class HoursLink:
    """What a valid link points at: an entry still waiting, and who may decide it."""

    entry: HoursEntry
    decider: User


@dataclass(frozen=True)
class HoursTotals:
    confirmed: Decimal
    waiting: Decimal
    disputed: Decimal


# --- Logging ------------------------------------------------------------------------------


def hours_log_problem(*, enrolment: Enrolment, now: datetime) -> str | None:
    """Why this student cannot log hours for this group now, or None if they can."""
    cohort = enrolment.cohort
    if enrolment.state not in TOOK_PART_STATES:
        return _("Only members of the group log hours.")
    if cohort.state not in (CohortState.RUNNING, CohortState.HANDOVER, CohortState.COMPLETED):
        return _("You can log hours once the group has started.")
    closes_at = aftercare_closes_at(cohort)
    if closes_at is not None and now >= closes_at:
        return _("The group completed long ago, so no more hours can be logged.")
    return None


def hours_log(
    *,
    enrolment_id: int,
    student: User,
    worked_on: date,
    hours: Decimal,
    description: str,
    now: datetime | None = None,
) -> HoursEntry:
    """Log hours a student worked for their group on one day.

    Refused: a day outside the group's dates or in the future; more than 24 hours on one day
    (counting the entries not disputed); and the same work twice (same day and description,
    unless the earlier entry was disputed, so a corrected entry can be logged again).
    The enrolment row is locked, so two saves at once cannot pass these checks together.
    Side effects: one mail to each lecturer and partner member of the project, with a link
    to confirm or dispute (once per entry and person).
    """
    description = " ".join(description.split())
    hours = _valid_hours(hours)
    if not description:
        raise HoursError(_("Say in a few words what you did."))
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise HoursError(
            _("Keep the description under %(count)d characters.")
            % {"count": DESCRIPTION_MAX_LENGTH}
        )
    with transaction.atomic():
        enrolment = (
            lock_rows(Enrolment.objects.select_related("cohort__project", "student"), of=("self",))
            .filter(pk=enrolment_id, student=student)
            .first()
        )
        if enrolment is None:
            raise HoursError(_("This registration does not exist."))
        now = now or timezone.now()
        problem = hours_log_problem(enrolment=enrolment, now=now)
        if problem:
            raise HoursError(problem)
        cohort = enrolment.cohort
        if worked_on > timezone.localdate(now):
            raise HoursError(_("You cannot log hours for a day that has not come yet."))
        if not (cohort.starts_on <= worked_on <= cohort.ends_on):
            raise HoursError(
                _("Pick a day on which the group ran: from %(start)s to %(end)s.")
                % {
                    "start": formats.date_format(cohort.starts_on, "j F Y"),
                    "end": formats.date_format(cohort.ends_on, "j F Y"),
                }
            )
        same_day = enrolment.hours.filter(worked_on=worked_on).exclude(state=HoursState.DISPUTED)
        if same_day.filter(description__iexact=description).exists():
            raise HoursError(_("You already logged this work on this day."))
        logged = same_day.aggregate(total=Sum("hours"))["total"] or Decimal(0)
        if logged + hours > MAX_HOURS_A_DAY:
            raise HoursError(
                _("With these, you would log more than 24 hours on one day (%(logged)s already).")
                % {"logged": formats.number_format(logged, 1)}
            )
        entry = HoursEntry.objects.create(
            enrolment=enrolment,
            worked_on=worked_on,
            hours=hours,
            description=description,
            created_at=now,
        )
        _ask_deciders(entry=entry, enrolment=enrolment)
    return entry


def _valid_hours(hours: Decimal) -> Decimal:
    try:
        hours = Decimal(hours)
    except (InvalidOperation, TypeError, ValueError):
        raise HoursError(_("Give the hours as a number, such as 2 or 1.5.")) from None
    if not hours.is_finite() or not (0 < hours <= MAX_HOURS_A_DAY):
        raise HoursError(_("Give more than 0 and at most 24 hours."))
    if hours != hours.quantize(Decimal("0.1")):
        raise HoursError(_("Give the hours in tenths at most, such as 2 or 1.5."))
    return hours.quantize(Decimal("0.1"))


def hours_deciders(project: Project) -> list[User]:
    """Who is asked to confirm hours: the project's lecturers and its partners' members."""
    return list(
        User.objects.filter(
            Q(led_projects=project) | Q(memberships__organisation__projects=project),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def _ask_deciders(*, entry: HoursEntry, enrolment: Enrolment) -> None:
    project = enrolment.cohort.project
    for decider in hours_deciders(project):
        message_render_and_queue(
            kind=MessageKind.PROJECT_UPDATES,
            template_prefix="projects/mail/hours_request",
            context={
                "recipient": decider,
                "entry": entry,
                "student": enrolment.student,
                "project": project,
                "url": hours_link_url(entry_id=entry.pk, decider_id=decider.pk),
                "max_age_days": settings.HOURS_LINK_MAX_AGE_DAYS,
            },
            user=decider,
            # One mail per entry and person, however often this runs.
            dedupe_key=f"hours-request:{entry.pk}:{decider.pk}",
        )


def hours_totals(entries) -> HoursTotals:
    """Sums per state, in one query, of a queryset of hours entries."""
    sums = entries.aggregate(
        confirmed=Sum("hours", filter=Q(state=HoursState.CONFIRMED)),
        waiting=Sum("hours", filter=Q(state=HoursState.SUBMITTED)),
        disputed=Sum("hours", filter=Q(state=HoursState.DISPUTED)),
    )
    return HoursTotals(**{key: value or Decimal(0) for key, value in sums.items()})


# --- The signed link ----------------------------------------------------------------------


def hours_link_max_age() -> timedelta:
    return timedelta(days=settings.HOURS_LINK_MAX_AGE_DAYS)


def hours_link_token(*, entry_id: int, decider_id: int) -> str:
    """The signed, expiring key in the link: it names the entry and the person it is for."""
    return signing.TimestampSigner(salt=HOURS_LINK_SALT).sign_object(
        {"e": entry_id, "d": decider_id}
    )


def hours_link_url(*, entry_id: int, decider_id: int) -> Secret:
    """The absolute link for a mail; a Secret, since it decides without a login."""
    token = hours_link_token(entry_id=entry_id, decider_id=decider_id)
    return Secret(settings.SITE_URL + reverse("projects:hours-decide", kwargs={"token": token}))


def hours_link_read(*, token: str, now: datetime | None = None) -> HoursLink:
    """The entry and decider a link names, or an HoursLinkError saying why it cannot be used.

    `now` lets tests look from another moment; the signature's own timestamp decides
    whether the link has expired.
    """
    shift = (now - timezone.now()) if now is not None else timedelta(0)
    signer = signing.TimestampSigner(salt=HOURS_LINK_SALT)
    try:
        payload = signer.unsign_object(token, max_age=hours_link_max_age() - shift)
    except signing.SignatureExpired:
        raise HoursLinkExpiredError(
            _(
                "This link has expired. Log in and open your to-do list to confirm these hours, "
                "or ask the student to contact you."
            )
        ) from None
    except (signing.BadSignature, ValueError):
        raise HoursLinkError(
            _(
                "This link does not work. Perhaps part of it is missing. Copy the whole link "
                "from the email, or log in and open your to-do list."
            )
        ) from None
    entry_id = payload.get("e") if isinstance(payload, dict) else None
    decider_id = payload.get("d") if isinstance(payload, dict) else None
    if not isinstance(entry_id, int) or not isinstance(decider_id, int):
        raise HoursLinkError(_("This link does not work."))
    entry = (
        HoursEntry.objects.select_related(
            "enrolment__student", "enrolment__cohort__project", "decided_by"
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise HoursLinkError(_("These hours are no longer on the platform."))
    decider = User.objects.filter(pk=decider_id, is_active=True).first()
    if decider is None or not decides_for_project(decider, entry.enrolment.cohort.project):
        raise HoursLinkNotDeciderError(
            _(
                "You can no longer confirm hours for this project. Ask a colleague or the "
                "coordinators of Leren met de Stad."
            )
        )
    if entry.state != HoursState.SUBMITTED:
        raise HoursAlreadyDecidedError(already_decided_message(entry))
    return HoursLink(entry=entry, decider=decider)


def already_decided_message(entry: HoursEntry) -> str:
    values = {
        "state": entry.get_state_display().lower(),
        "name": entry.decided_by.name if entry.decided_by else _("someone"),
        "date": formats.date_format(timezone.localtime(entry.decided_at), "j F Y"),
    }
    return _("These hours have already been decided: %(state)s by %(name)s on %(date)s.") % values


# --- Deciding -----------------------------------------------------------------------------


def hours_decide(
    *,
    entry_id: int,
    decider: User,
    confirm: bool,
    note: str = "",
    now: datetime | None = None,
) -> HoursEntry:
    """Confirm or dispute logged hours; a dispute needs a note saying why.

    Only the project's lecturers, its partners' members and coordinators decide, and each
    entry is decided once: its row is locked and a second decision is refused.
    Side effects: a mail to the student with the outcome.
    """
    note = note.strip()
    if not confirm and not note:
        raise HoursError(_("Say why you dispute these hours, so the student can correct them."))
    if len(note) > DISPUTE_NOTE_MAX_LENGTH:
        raise HoursError(
            _("Keep the note under %(count)d characters.") % {"count": DISPUTE_NOTE_MAX_LENGTH}
        )
    with transaction.atomic():
        entry = (
            lock_rows(
                HoursEntry.objects.select_related(
                    "enrolment__student", "enrolment__cohort__project", "decided_by"
                ),
                of=("self",),
            )
            .filter(pk=entry_id)
            .first()
        )
        if entry is None:
            raise HoursError(_("These hours are no longer on the platform."))
        project = entry.enrolment.cohort.project
        if not decides_for_project(decider, project):
            raise HoursError(_("Only the project's teachers and partner can confirm its hours."))
        if entry.state != HoursState.SUBMITTED:
            raise HoursError(already_decided_message(entry))
        race_window()
        entry.state = HoursState.CONFIRMED if confirm else HoursState.DISPUTED
        entry.decided_by = decider
        entry.decided_at = now or timezone.now()
        entry.dispute_note = "" if confirm else note
        entry.save(update_fields=["state", "decided_by", "decided_at", "dispute_note"])
        message_render_and_queue(
            kind=MessageKind.PROJECT_UPDATES,
            template_prefix="projects/mail/hours_decided",
            context={
                "recipient": entry.enrolment.student,
                "entry": entry,
                "decider": decider,
                "project": project,
                "url": settings.SITE_URL
                + reverse("projects:hours", kwargs={"pk": entry.enrolment_id}),
            },
            user=entry.enrolment.student,
            dedupe_key=f"hours-decided:{entry.pk}",
        )
    return entry
