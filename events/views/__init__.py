"""Meet & Match pages: public (list, event page, calendar file), registration (register,
cancel, "My Meet & Match", check-in at the door) and calendars (the personal feed).

The schedule part adds its own views in events/views/schedule*.py and its URLs in
events/urls_schedule.py; its templates hook into these pages through optional_template().
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from events.models import Event


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def optional_template(name: str) -> str | None:
    """The template's name if it exists, else None: a page includes it only when it does.

    Used for the seams the schedule part fills (templates/events/schedule/_mine.html and
    _detail.html), so these pages render before that part exists. Django's cached template
    loader remembers the answer, so asking costs nothing after the first time.
    """
    return name if _template_exists(name) else None


def event_for(request, slug: str, *, queryset=None) -> Event:
    """The event, or 404 when there is none or the user may not see it (drafts are for
    coordinators only)."""
    event = get_object_or_404(queryset if queryset is not None else Event.objects, slug=slug)
    if not request.user.has_perm("events.see_event", event):
        raise Http404
    return event
