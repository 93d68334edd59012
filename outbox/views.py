from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from outbox.enums import OPTIONAL_KINDS, REQUIRED_KINDS, MessageKind
from outbox.forms import MailPreferencesForm
from outbox.selectors import opted_out_kinds, unsubscribe_target
from outbox.services import mail_preferences_update, opt_out_create
from outbox.tokens import InvalidUnsubscribeTokenError


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Tick the kinds of email you want; account mail always comes."""
    if request.method == "POST":
        form = MailPreferencesForm(request.POST)
        if form.is_valid():
            mail_preferences_update(user=request.user, receive=form.cleaned_data["receive"])
            messages.success(request, _("Saved. From now on you only get the emails you ticked."))
            return redirect("outbox:preferences")
    else:
        switched_off = opted_out_kinds(user=request.user)
        receive = [kind.value for kind in OPTIONAL_KINDS if kind not in switched_off]
        form = MailPreferencesForm(initial={"receive": receive})
    required = [MessageKind(kind).label for kind in sorted(REQUIRED_KINDS)]
    return render(request, "outbox/preferences.html", {"form": form, "required_kinds": required})


# The signed link is the proof of who is asking: it names one person and one kind and only
# the recipient has it. Mail programs POST to it without a CSRF token (RFC 8058 one-click),
# so this one view is exempt from CSRF checks. A request without a valid token changes
# nothing, so the exemption gives a forged request nothing either.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation (link scanners open links), POST switches the kind off."""
    try:
        user, kind = unsubscribe_target(token=token)
    except InvalidUnsubscribeTokenError:
        response = render(request, "outbox/unsubscribe_invalid.html", status=400)
    else:
        # The page speaks the language the mail was written in.
        with translation.override(user.language):
            if request.method == "POST":
                opt_out_create(user=user, kind=kind)
                template = "outbox/unsubscribe_done.html"
            else:
                template = "outbox/unsubscribe.html"
            response = render(request, template, {"kind_label": kind.label})
            response.headers["Content-Language"] = translation.get_language()
    # Personal pages behind a secret link: keep them out of search engines.
    response.headers["X-Robots-Tag"] = "noindex"
    return response
