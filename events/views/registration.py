"""Registering and cancelling, "My Meet & Match", and the check-in at the door."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from events.enums import RegistrationState
from events.forms import CheckInCodeForm, RegistrationForm
from events.models import Event, Registration
from events.selectors import (
    ACTIVE_REGISTRATION_STATES,
    check_in_list,
    my_registrations,
    registrations_with_schedule,
    waitlist_position,
    with_places,
)
from events.services.errors import EventError
from events.services.registration import (
    cancel_registration,
    check_in,
    register,
    registration_problem,
)
from events.views import event_for, optional_template

# Lazy: this dict is built at import time, the language is chosen per request.
REGISTERED = {
    RegistrationState.REGISTERED: gettext_lazy(
        "You have a place. We sent you an email with your check-in code."
    ),
    RegistrationState.WAITLISTED: gettext_lazy(
        "The Meet & Match is full: you are on the waiting list, number %(position)s."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def register_view(request, slug: str):
    event = event_for(request, slug, queryset=with_places(Event.objects))
    problem = registration_problem(event=event, person=request.user, now=timezone.now())
    if problem:
        return render(request, "events/register.html", {"event": event, "problem": problem})
    form = RegistrationForm(
        request.POST if request.method == "POST" else None, event=event, person=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = register(
                event_id=event.pk,
                person=request.user,
                role_at_event=data["role_at_event"],
                brings=data["brings"],
                seeks=data["seeks"],
                themes=data["themes"],
                listed=data["listed"],
                wants_to_meet_ids=[r.pk for r in data["wants_to_meet"]],
                rather_not_meet_ids=[r.pk for r in data["rather_not_meet"]],
            )
        except EventError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            text = str(REGISTERED[registration.state])
            if registration.state == RegistrationState.WAITLISTED:
                text = text % {"position": waitlist_position(registration)}
            messages.success(request, text)
            return redirect(event.get_absolute_url())
    return render(request, "events/register.html", {"event": event, "form": form})


@login_required
@require_POST
def cancel_view(request, pk: int):
    registration = get_object_or_404(
        Registration.objects.select_related("event"), pk=pk, person=request.user
    )
    try:
        cancel_registration(registration_id=registration.pk, person=request.user)
    except EventError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Your registration is cancelled.")
            if registration.state == RegistrationState.REGISTERED
            else _("You are off the waiting list."),
        )
    if request.POST.get("next") == "mine":
        return redirect("events:mine")
    return redirect(registration.event.get_absolute_url())


@login_required
def mine_view(request):
    now = timezone.now()
    registrations = my_registrations(request.user)
    current = [
        r for r in registrations if r.state in ACTIVE_REGISTRATION_STATES and r.event.ends_at >= now
    ]
    earlier = [r for r in registrations if r not in current]
    # The seam for the schedule part: when templates/events/schedule/_mine.html exists, the
    # page includes it with the person's registrations, their seats and follow-ups.
    schedule_template = optional_template("events/schedule/_mine.html")
    return render(
        request,
        "events/mine.html",
        {
            "current": current,
            "earlier": earlier,
            "now": now,
            "schedule_template": schedule_template,
            "scheduled_registrations": (
                list(registrations_with_schedule(request.user)) if schedule_template else []
            ),
        },
    )


# --- Check-in at the door --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def check_in_view(request, slug: str):
    """The printable list at the door, for coordinators: a button per person, and a field for
    the code on someone's confirmation mail. Anyone else gets a 404."""
    event = event_for(request, slug)
    if not request.user.has_perm("events.check_in", event):
        raise Http404
    form = CheckInCodeForm()
    if request.method == "POST":
        by_code = "registration" not in request.POST
        form = CheckInCodeForm(request.POST) if by_code else CheckInCodeForm()
        registration_id = None
        if not by_code:
            try:
                registration_id = int(request.POST["registration"])
            except ValueError:
                raise Http404 from None
        if not by_code or form.is_valid():
            try:
                arrived = check_in(
                    event_id=event.pk,
                    actor=request.user,
                    registration_id=registration_id,
                    code=form.cleaned_data["code"] if by_code else "",
                )
            except EventError as error:
                if by_code:
                    form.add_error("code" if error.field == "code" else None, str(error))
                else:
                    messages.error(request, str(error))
                    return redirect("events:check-in", slug=event.slug)
            else:
                messages.success(
                    request, _("%(name)s is checked in.") % {"name": arrived.person.name}
                )
                return redirect(
                    reverse("events:check-in", args=[event.slug]) + f"#deelnemer-{arrived.pk}"
                )
    people = list(check_in_list(event))
    return render(
        request,
        "events/check_in.html",
        {
            "event": event,
            "people": people,
            "arrived": sum(1 for r in people if r.checked_in_at),
            "form": form,
        },
    )
