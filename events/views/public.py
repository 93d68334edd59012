"""Pages anyone can open: the list of events, an event's page and its calendar file."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from events.calendars import event_ics
from events.enums import Audience, EventState, RegistrationState
from events.forms import RegistrationForm
from events.models import Event
from events.selectors import (
    participants,
    past_events,
    registration_of,
    upcoming_events,
    waitlist_position,
    with_places,
)
from events.services.registration import registration_problem
from events.views import event_for, optional_template

PAST_EVENTS_SHOWN = 12


@require_GET
def event_list_view(request):
    now = timezone.now()
    return render(
        request,
        "events/list.html",
        {
            "upcoming": list(upcoming_events(now=now)),
            "past": list(past_events(now=now)[:PAST_EVENTS_SHOWN]),
        },
    )


@require_GET
def event_detail_view(request, slug: str):
    event = event_for(request, slug, queryset=with_places(Event.objects))
    now = timezone.now()
    user = request.user
    registration = registration_of(event=event, person=user)
    if registration is not None and registration.state == RegistrationState.CANCELLED:
        registration = None
    problem = None
    if user.is_authenticated and registration is None:
        problem = registration_problem(event=event, person=user, now=now)
    can_register = user.is_authenticated and registration is None and problem is None
    can_see_participants = user.has_perm("events.see_participants", event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "themes": list(event.themes.all()),
            "registration": registration,
            "position": waitlist_position(registration) if registration else None,
            "audience": [Audience(value).label for value in event.audience],
            "form": RegistrationForm(event=event, person=user) if can_register else None,
            "registration_open": event.state == EventState.PUBLISHED
            and now < event.registration_deadline,
            "problem": problem,
            "can_cancel": registration is not None and now < event.starts_at,
            "participants": participants(event) if can_see_participants else None,
            "can_check_in": user.has_perm("events.check_in", event),
            "schedule_template": optional_template("events/schedule/_detail.html"),
        },
    )


@require_GET
def event_ics_view(request, slug: str):
    event = event_for(request, slug)
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response
