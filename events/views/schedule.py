"""Schedule pages: the coordinators' grid and hand-made schedule, each participant's own
schedule, and the follow-ups after the event.

Coordinator pages answer 404 to everyone else, as do a participant's pages to anyone who
has no seat (STYLE.md: objects outside the user's scope are not found).
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from events.calendars import registration_ics, round_start
from events.enums import TAKING_PART
from events.models import Event, FollowUp, Meeting, Registration
from events.schedule_input import ProposedMeeting, ScheduleProposal
from events.services.errors import EventError
from events.services.follow_ups import (
    challenge_host,
    follow_up_link,
    follow_up_open,
    follow_up_record,
    follow_up_to_challenge,
    link_targets,
)
from events.services.schedule import (
    EDITABLE_STATES,
    PersonalMeeting,
    ScheduleError,
    is_published,
    personal_schedules,
    schedule_grid,
    schedule_save,
)
from lerenmetdestad.forms import posted_id, posted_text


def _coordinated_event(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not request.user.has_perm("events.manage_event", event):
        raise Http404
    return event


# --- Coordinators -----------------------------------------------------------------------


@login_required
def schedule_grid_view(request, slug: str):
    """Round x table, for the coordinators and for paper at the event."""
    event = _coordinated_event(request, slug)
    rows = schedule_grid(event)
    return render(
        request,
        "events/schedule/grid.html",
        {
            "event": event,
            "rows": rows,
            # Tables down, rounds across: a handful of rounds fits a phone and an A4 page.
            "table_rows": [
                (table, [row.cells[table - 1] for row in rows])
                for table in range(1, event.tables + 1)
            ],
            "published": is_published(event),
            "editable": event.state in EDITABLE_STATES,
        },
    )


@dataclass
class EditSeat:
    name: str
    label: str
    value: str


@dataclass
class EditCell:
    round: int
    table: int
    seats: list[EditSeat]
    reason_name: str
    reason: str
    errors: list[str] = field(default_factory=list)

    @property
    def error_id(self) -> str:
        return f"fout-{self.round}-{self.table}"


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit_view(request, slug: str):
    """Make or change the schedule by hand: a select per seat, a reason per table.

    Saving goes through schedule_save, the same call the matching engine uses, so a hand-made
    schedule follows the same rules. On a refusal the page comes back with what was chosen
    and each fault beside its table.
    """
    event = _coordinated_event(request, slug)
    current = {
        (meeting.round, meeting.table): meeting
        for meeting in Meeting.objects.filter(event=event).prefetch_related("seats")
    }
    values = request.POST if request.method == "POST" else _values_of(current, event)
    faults: list[str] = []
    cell_faults: dict[tuple[int, int], list[str]] = {}
    if request.method == "POST":
        proposal = _proposal_from(values, event, current)
        try:
            entry = schedule_save(event_id=event.pk, proposal=proposal, actor=request.user)
        except ScheduleError as error:
            for fault in error.faults:
                if fault.round is not None and fault.table is not None:
                    cell_faults.setdefault((fault.round, fault.table), []).append(fault.message)
                else:
                    faults.append(fault.message)
        except EventError as error:
            faults.append(str(error))
        else:
            messages.success(
                request,
                _("The schedule is saved: %(count)s meetings.") % {"count": entry.data["meetings"]},
            )
            return redirect("events:schedule-grid", slug=event.slug)
    participants = list(
        Registration.objects.filter(event=event, state__in=TAKING_PART)
        .select_related("person")
        .order_by("person__name", "pk")
    )
    rows = [
        (
            r,
            round_start(event, r),
            [
                _edit_cell(values, r, t, event.seats_per_table, cell_faults)
                for t in range(1, event.tables + 1)
            ],
        )
        for r in range(1, event.rounds + 1)
    ]
    return render(
        request,
        "events/schedule/edit.html",
        {
            "event": event,
            "rows": rows,
            "table_rows": [
                (t, [cells[t - 1] for _r, _start, cells in rows])
                for t in range(1, event.tables + 1)
            ],
            "participants": [
                (str(p.pk), f"{p.person.name} ({p.get_role_at_event_display()})")
                for p in participants
            ],
            "faults": faults,
            "has_faults": bool(faults or cell_faults),
            "editable": event.state in EDITABLE_STATES,
        },
    )


def _seat_name(r: int, t: int, s: int) -> str:
    return f"seat-{r}-{t}-{s}"


def _reason_name(r: int, t: int) -> str:
    return f"reason-{r}-{t}"


def _values_of(current: dict[tuple[int, int], Meeting], event: Event) -> dict[str, str]:
    """The form's values for the schedule as it is stored."""
    values: dict[str, str] = {}
    for (r, t), meeting in current.items():
        seats = sorted(meeting.seats.all(), key=lambda seat: seat.pk)
        for s, seat in enumerate(seats[: event.seats_per_table], start=1):
            values[_seat_name(r, t, s)] = str(seat.registration_id)
        values[_reason_name(r, t)] = meeting.reason
    return values


def _proposal_from(
    values, event: Event, current: dict[tuple[int, int], Meeting]
) -> ScheduleProposal:
    """A proposal from the posted grid: one meeting for every table with someone chosen.

    A table whose people did not change keeps its score; a new one gets none, as nothing
    computed it.
    """
    meetings = []
    for r in range(1, event.rounds + 1):
        for t in range(1, event.tables + 1):
            chosen = []
            for s in range(1, event.seats_per_table + 1):
                registration_id = posted_id(values, _seat_name(r, t, s))
                if registration_id is not None:
                    chosen.append(registration_id)
            if not chosen:
                continue
            before = current.get((r, t))
            same = before is not None and sorted(
                seat.registration_id for seat in before.seats.all()
            ) == sorted(chosen)
            meetings.append(
                ProposedMeeting(
                    round=r,
                    table=t,
                    participant_ids=tuple(chosen),
                    reason=posted_text(values, _reason_name(r, t)).strip(),
                    score=before.score if same else 0.0,
                )
            )
    return ScheduleProposal.of(meetings)


def _edit_cell(values, r: int, t: int, seats: int, cell_faults) -> EditCell:
    return EditCell(
        round=r,
        table=t,
        seats=[
            EditSeat(
                name=_seat_name(r, t, s),
                label=_("Round %(round)s, table %(table)s, seat %(seat)s")
                % {"round": r, "table": t, "seat": s},
                value=str(values.get(_seat_name(r, t, s), "")),
            )
            for s in range(1, seats + 1)
        ],
        reason_name=_reason_name(r, t),
        reason=str(values.get(_reason_name(r, t), "")),
        errors=cell_faults.get((r, t), []),
    )


# --- Participants -----------------------------------------------------------------------


def _my_registration(request, event: Event) -> Registration:
    registration = (
        Registration.objects.filter(event=event, person=request.user, state__in=TAKING_PART)
        .select_related("person")
        .first()
    )
    if registration is None:
        raise Http404
    return registration


def _my_meetings(request, slug: str) -> tuple[Event, Registration, list[PersonalMeeting]]:
    """The event, the person's registration and their meetings, or 404 without a seat in a
    published schedule."""
    event = get_object_or_404(Event, slug=slug)
    registration = _my_registration(request, event)
    if not is_published(event):
        raise Http404
    meetings = personal_schedules(event=event, registration_ids=[registration.pk]).get(
        registration.pk, []
    )
    if not meetings:
        raise Http404
    return event, registration, meetings


@login_required
def my_schedule_view(request, slug: str):
    """The person's own rounds: time, table, whom they meet and why."""
    event, registration, meetings = _my_meetings(request, slug)
    return render(
        request,
        "events/schedule/mine.html",
        {
            "event": event,
            "registration": registration,
            "meetings": meetings,
            "follow_up_open": follow_up_open(event),
        },
    )


@login_required
@require_safe
def my_schedule_ics_view(request, slug: str):
    """My schedule as a calendar file to download: the event and each of my meetings."""
    event, registration, _meetings = _my_meetings(request, slug)
    registration.event = event
    response = HttpResponse(
        registration_ics(registration), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-mijn-rooster.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass
class FollowUpRow:
    """One of my meetings on the follow-up page, with the forms that act on it."""

    meeting: PersonalMeeting
    follow_up: FollowUp | None
    values: dict
    errors: dict[str, str]
    host_name: str = ""
    organisations: tuple = ()
    challenges: tuple = ()
    projects: tuple = ()


@login_required
def follow_ups_view(request, slug: str):
    """My meetings, each with a form to plan a follow-up and to take it further."""
    event, registration, meetings = _my_meetings(request, slug)
    return _follow_up_page(request, event, registration, meetings)


def _follow_up_page(
    request,
    event: Event,
    registration: Registration,
    meetings: list[PersonalMeeting],
    *,
    posted_meeting: int | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    follow_ups = {
        follow_up.meeting_id: follow_up
        for follow_up in FollowUp.objects.filter(registration=registration).select_related(
            "registration", "challenge", "project", "with_person"
        )
    }
    rows = []
    for meeting in meetings:
        follow_up = follow_ups.get(meeting.meeting_id)
        if posted_meeting == meeting.meeting_id:
            values = request.POST
        elif follow_up is not None:
            values = {
                "with_person": str(follow_up.with_person_id or ""),
                "planned_on": follow_up.planned_on.isoformat() if follow_up.planned_on else "",
                "note": follow_up.note,
            }
        else:
            # At a table for two there is only one person to choose.
            only = meeting.others[0].person_id if len(meeting.others) == 1 else ""
            values = {"with_person": str(only), "planned_on": "", "note": ""}
        row = FollowUpRow(
            meeting=meeting,
            follow_up=follow_up,
            values=values,
            errors=errors if posted_meeting == meeting.meeting_id and errors else {},
        )
        if follow_up is not None:
            host = challenge_host(follow_up)
            if host is not None:
                row.host_name = host.person.name
                row.organisations = host.organisations
            targets = link_targets(follow_up)
            row.challenges = targets.challenges
            row.projects = targets.projects
        rows.append(row)
    return render(
        request,
        "events/schedule/follow_ups.html",
        {"event": event, "rows": rows, "open": follow_up_open(event)},
        status=status,
    )


@login_required
@require_POST
def follow_up_record_view(request, slug: str, meeting_pk: int):
    event, registration, meetings = _my_meetings(request, slug)
    mine = {meeting.meeting_id for meeting in meetings}
    if meeting_pk not in mine:
        raise Http404
    meeting = Meeting.objects.get(pk=meeting_pk)
    errors: dict[str, str] = {}
    with_person = None
    person_id = posted_id(request.POST, "with_person")
    if person_id is not None:
        with_person = User.objects.filter(pk=person_id).first()
    planned_on = None
    raw_date = request.POST.get("planned_on", "").strip()
    if raw_date:
        try:
            planned_on = date.fromisoformat(raw_date)
        except ValueError:
            errors["planned_on"] = _("Enter a date such as 2026-03-31.")
    if not errors:
        try:
            follow_up_record(
                registration=registration,
                meeting=meeting,
                with_person=with_person,
                planned_on=planned_on,
                note=posted_text(request.POST, "note"),
            )
        except EventError as error:
            errors[error.field or "general"] = str(error)
    if errors:
        return _follow_up_page(
            request, event, registration, meetings, posted_meeting=meeting_pk, errors=errors
        )
    messages.success(request, _("Your follow-up is saved."))
    return redirect(reverse("events:follow-ups", args=[event.slug]) + f"#gesprek-{meeting_pk}")


def _my_follow_up(request, slug: str, pk: int) -> tuple[Event, FollowUp]:
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("meeting__event"),
        pk=pk,
        meeting__event__slug=slug,
        registration__person=request.user,
    )
    return follow_up.meeting.event, follow_up


@login_required
@require_POST
def follow_up_to_challenge_view(request, slug: str, pk: int):
    event, follow_up = _my_follow_up(request, slug, pk)
    try:
        challenge = follow_up_to_challenge(
            follow_up_id=follow_up.pk,
            actor=request.user,
            organisation_id=posted_id(request.POST, "organisation"),
        )
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "A draft challenge for %(organisation)s is ready. The organisation reads it and "
                "decides whether to submit it."
            )
            % {"organisation": challenge.organisation.name},
        )
    return redirect(
        reverse("events:follow-ups", args=[event.slug]) + f"#gesprek-{follow_up.meeting_id}"
    )


@login_required
@require_POST
def follow_up_link_view(request, slug: str, pk: int):
    event, follow_up = _my_follow_up(request, slug, pk)
    kind, _sep, raw = request.POST.get("target", "").partition("-")
    target_id = posted_id({"target": raw}, "target")
    try:
        if target_id is None or kind not in {"challenge", "project"}:
            raise EventError(_("Choose one challenge or one project."))
        follow_up_link(
            follow_up_id=follow_up.pk,
            actor=request.user,
            challenge_id=target_id if kind == "challenge" else None,
            project_id=target_id if kind == "project" else None,
        )
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The follow-up is linked."))
    return redirect(
        reverse("events:follow-ups", args=[event.slug]) + f"#gesprek-{follow_up.meeting_id}"
    )
