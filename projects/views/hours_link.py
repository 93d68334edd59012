"""The page behind the signed link in an hours mail: confirm or dispute without logging in.

The link is the proof of who is asking (projects.services.hours). GET only shows the entry,
because mail scanners and link previews open links; only a POST from the page's own form
decides. The form carries a CSRF token like every other form: the page sets the cookie
itself, so it works without a session.
"""

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from projects.forms.reciprocity import HoursDecisionForm
from projects.services.hours import HoursError, HoursLinkError, hours_decide, hours_link_read


@never_cache
@require_http_methods(["GET", "POST"])
def hours_decide_view(request, token: str):
    try:
        link = hours_link_read(token=token)
    except HoursLinkError as error:
        response = render(
            request,
            "projects/reciprocity/hours_link_refused.html",
            {"reason": str(error)},
            status=error.status,
        )
        return _private(response)
    # The page speaks the language of the person the mail went to.
    with translation.override(link.decider.language):
        status = 200
        if request.method == "POST":
            form = HoursDecisionForm(request.POST)
            if form.is_valid():
                try:
                    entry = hours_decide(
                        entry_id=link.entry.pk,
                        decider=link.decider,
                        confirm=form.confirm,
                        note=form.cleaned_data["note"],
                    )
                except HoursError as error:
                    form.add_error(None, str(error))
                else:
                    response = render(
                        request, "projects/reciprocity/hours_decided.html", {"entry": entry}
                    )
                    return _private(response)
            status = 400
        else:
            form = HoursDecisionForm()
        response = render(
            request,
            "projects/reciprocity/hours_decide.html",
            {"entry": link.entry, "decider": link.decider, "form": form},
            status=status,
        )
        response.headers["Content-Language"] = translation.get_language()
    return _private(response)


def _private(response):
    # Personal pages behind a secret link: keep them out of search engines.
    response.headers["X-Robots-Tag"] = "noindex"
    return response
