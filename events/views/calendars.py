"""The personal calendar feed: the feed itself (secret address, no login) and the page where
a signed-in person finds its address or replaces it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.calendars import calendar_feed_ensure, calendar_feed_reset, person_feed_ics
from events.models import CalendarFeed


@require_GET
def feed_view(request, token: str):
    """The feed. The token is the only key, so an unknown or replaced token is a 404."""
    feed = (
        CalendarFeed.objects.filter(token=token, person__is_active=True)
        .select_related("person")
        .first()
    )
    if feed is None:
        raise Http404
    # A calendar program fetches this without cookies: speak the owner's language.
    with translation.override(feed.person.language):
        body = person_feed_ics(feed.person)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="meet-and-match.ics"'
    # A private address: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
def feed_page_view(request):
    feed = calendar_feed_ensure(person=request.user)
    url = settings.SITE_URL + reverse("events:feed", args=[feed.token])
    return render(
        request,
        "events/calendar_feed.html",
        {
            "feed_url": url,
            # webcal:// makes most calendar programs offer to subscribe.
            "webcal_url": "webcal://" + url.split("://", 1)[1],
        },
    )


@login_required
@require_POST
def feed_reset_view(request):
    calendar_feed_reset(person=request.user)
    messages.success(
        request,
        _("You have a new calendar address. The old one no longer works: add the new one."),
    )
    return redirect("events:calendar-feed")
