"""Coordinators' pages. Anonymous visitors are sent to the login; anyone signed in who is not
a coordinator gets a 404, as on the other coordinator-only pages (STYLE.md: objects outside
someone's scope answer 404, and the page should not even admit that it exists)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from accounts.rules import is_coordinator


def coordinator_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_coordinator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
