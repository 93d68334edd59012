"""The signed-in person's own data: see it, download it, erase it. No view takes an id: each
works on request.user only, so nobody can reach someone else's data by changing a URL."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.privacy.erasure import ErasureError, account_erase
from accounts.privacy.export import archive_write
from accounts.privacy.forms import EraseForm


@login_required
@require_safe
def my_data(request):
    return render(request, "accounts/privacy/my_data.html")


@never_cache
@login_required
@require_safe
def my_data_download(request):
    response = HttpResponse(content_type="application/zip")
    archive_write(request.user, response)
    filename = f"leren-met-de-stad-mijn-gegevens-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def erase(request):
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account_erase(user=request.user, confirm_email=form.cleaned_data["confirm_email"])
        except ErasureError as error:
            form.add_error("confirm_email", str(error))
        else:
            logout(request)
            messages.success(request, _("Your account and your personal data have been erased."))
            return redirect("home")
    return render(request, "accounts/privacy/erase.html", {"form": form})
