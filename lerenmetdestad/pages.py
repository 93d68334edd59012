"""Public pages that belong to no app: the home page, the accessibility and privacy statements.

The error pages (400, 403, 403_csrf, 404, 500) need no views of their own: Django's
default handlers render templates/<code>.html.
"""

import datetime

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_safe

# When the accessibility statement was last checked and changed. Update it together
# with the text in templates/pages/accessibility.html.
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 11, 27)
# The same for the privacy statement in templates/pages/privacy.html.
PRIVACY_STATEMENT_DATE = datetime.date(2026, 12, 1)


@require_safe
def home(request):
    return render(request, "pages/home.html")


@require_safe
def accessibility(request):
    return render(
        request,
        "pages/accessibility.html",
        {"statement_date": ACCESSIBILITY_STATEMENT_DATE},
    )


@require_safe
def privacy(request):
    return render(
        request,
        "pages/privacy.html",
        {
            "statement_date": PRIVACY_STATEMENT_DATE,
            "account_retention_days": settings.ACCOUNT_RETENTION_DAYS,
            "attachment_retention_days": settings.CHALLENGE_ATTACHMENT_RETENTION_DAYS,
        },
    )


# Strings that Django shows on our pages but whose Dutch catalogue lacks them, or
# says them with "u" where we say "je". Naming them here puts them in our catalogue
# (locale/nl), which Django reads before its own. Nothing uses this tuple at runtime.
# The msgids must match Django's byte for byte, typographic apostrophes included (RUF001).
DUTCH_OVERRIDES = (
    _("- Select an option -"),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    _("Your password can’t be too similar to your other personal information."),  # noqa: RUF001
    _("Your password can’t be a commonly used password."),  # noqa: RUF001
    _("Your password can’t be entirely numeric."),  # noqa: RUF001
    _("The password is too similar to the %(verbose_name)s."),
    _("This password is too common."),
    _("This password is entirely numeric."),
)
